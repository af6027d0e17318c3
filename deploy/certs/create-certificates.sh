#!/bin/sh
# Creates a cluster CA and certificates for Rivulet's internal mutual TLS
# (security.ssl.internal.*), plus a client token (security.auth.token-file).
# Needs only openssl (Debian: apt-get install openssl). docs/security.md.
#
#   create-certificates.sh OUT_DIR NAME[:SAN,SAN...] ...
#
#   OUT_DIR/ca.crt, ca.key        the cluster CA (created once, reused after)
#   OUT_DIR/NAME.crt, NAME.key    a certificate for each NAME, signed by the CA;
#                                 its subjectAltNames are DNS:NAME and the SANs
#                                 given after the colon (DNS:host or IP:1.2.3.4)
#   OUT_DIR/client-token          a random client token (created once)
#
# Files that exist are kept, so running it again (an init container on every
# start) changes nothing; delete a file to have it made anew. Keys are
# readable by their owner only. Validity: CA_DAYS (3650) for the CA, DAYS
# (825) for the others. Every certificate may serve and connect (server and
# client auth): one certificate per daemon, or one shared by all of them.
set -eu

if [ "$#" -lt 1 ]; then
  echo "usage: $0 OUT_DIR NAME[:SAN,SAN...] ..." >&2
  exit 2
fi
out=$1
shift
command -v openssl >/dev/null 2>&1 || { echo "$0: openssl is not installed (Debian: apt-get install openssl)" >&2; exit 1; }
umask 077
mkdir -p "$out"
ca_days=${CA_DAYS:-3650}
days=${DAYS:-825}

if [ ! -s "$out/ca.crt" ] || [ ! -s "$out/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$out/ca.key" -out "$out/ca.crt" -days "$ca_days" \
    -subj "/CN=Rivulet cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "created $out/ca.crt"
fi

for spec in "$@"; do
  name=${spec%%:*}
  case "$name" in
    ''|*/*|.*) echo "$0: bad certificate name \"$name\"" >&2; exit 2 ;;
  esac
  sans="DNS:$name"
  if [ "$spec" != "$name" ]; then sans="$sans,${spec#*:}"; fi
  if [ -s "$out/$name.crt" ] && [ -s "$out/$name.key" ]; then continue; fi
  ext=$(mktemp)
  csr=$(mktemp)
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$sans" > "$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$out/$name.key" -out "$csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -out "$out/$name.crt" -days "$days" -sha256 -extfile "$ext" 2>/dev/null
  rm -f "$ext" "$csr"
  echo "created $out/$name.crt ($sans)"
done

if [ ! -s "$out/client-token" ]; then
  openssl rand -hex 32 > "$out/client-token"
  echo "created $out/client-token"
fi
# The CA certificate and the certificates are public; keys and the token are not.
chmod 644 "$out/ca.crt"
for cert in "$out"/*.crt; do chmod 644 "$cert"; done
