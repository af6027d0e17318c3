import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigurationError, errorMessage } from '../errors.js';

/**
 * PEM material of one TLS surface, as text: plain data, so the control
 * thread reads the files once and hands the same bytes to slot threads
 * (workerData) and to every listener and client of the process.
 */
export interface TlsMaterial {
  /** This process's certificate, optionally followed by its intermediates. */
  readonly cert: string;
  /** The private key of `cert` (PEM, not encrypted). */
  readonly key: string;
  /** The CA certificates a peer's certificate must chain to. */
  readonly ca: string;
}

/** Where a surface's PEM files are configured, for error messages. */
export interface TlsFiles {
  /** Config key prefix, e.g. `security.ssl.internal`. */
  readonly prefix: string;
  readonly cert: string | null;
  readonly key: string | null;
  readonly ca: string | null;
}

/**
 * Reads and checks a surface's PEM files. Every failure is a
 * ConfigurationError naming the key and the file: a missing or unreadable
 * file, text that holds no certificate or key, a key that does not belong to
 * the certificate, a certificate that is expired or not yet valid, or one not
 * signed by any CA of the bundle (a daemon would be refused by every peer).
 * `identity: false` (a client that only verifies the server) needs the CA only.
 * `ownCertificateFromCa: false` (the REST port, whose CA is that of its
 * clients' certificates) skips the check that the certificate chains to `ca`.
 */
export function readTlsMaterial(files: TlsFiles, options: { identity: boolean; ownCertificateFromCa?: boolean; now?: Date } = { identity: true }): TlsMaterial {
  const ca = readPem(files.prefix, 'ca', files.ca);
  const cas = certificatesOf(ca, `${files.prefix}.ca`, files.ca ?? '');
  if (!options.identity && files.cert === null && files.key === null) return { cert: '', key: '', ca };
  const cert = readPem(files.prefix, 'cert', files.cert);
  const key = readPem(files.prefix, 'key', files.key);
  checkIdentity(files, certificatesOf(cert, `${files.prefix}.cert`, files.cert ?? ''), key, options.ownCertificateFromCa === false ? undefined : cas, options.now ?? new Date());
  return { cert, key, ca };
}

function readPem(prefix: string, name: string, path: string | null): string {
  const key = `${prefix}.${name}`;
  if (path === null) throw new ConfigurationError(`"${key}" must name a PEM file when "${prefix}.enabled" is true`, { key });
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigurationError(`"${key}": cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : errorMessage(err)}`, { key, cause: err });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, parsed; none, or one that does not parse, is an error naming the key. */
export function certificatesOf(pem: string, key: string, path: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigurationError(`"${key}": ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { key });
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new ConfigurationError(`"${key}": certificate ${i + 1} of ${path} cannot be parsed: ${errorMessage(err)}`, { key, cause: err });
    }
  });
}

function checkIdentity(files: TlsFiles, chain: readonly X509Certificate[], keyPem: string, cas: readonly X509Certificate[] | undefined, now: Date): void {
  const leaf = chain[0] as X509Certificate;
  const certKey = `${files.prefix}.cert`;
  const keyKey = `${files.prefix}.key`;
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new ConfigurationError(`"${keyKey}": ${files.key ?? ''} holds no usable private key (PEM, not encrypted): ${errorMessage(err)}`, { key: keyKey, cause: err });
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ConfigurationError(`"${keyKey}": the key in ${files.key ?? ''} does not belong to the certificate in ${files.cert ?? ''}`, { key: keyKey });
  }
  if (new Date(leaf.validTo).getTime() < now.getTime()) {
    throw new ConfigurationError(`"${certKey}": the certificate in ${files.cert ?? ''} (${leaf.subject.replace(/\n/g, ', ')}) expired on ${leaf.validTo}`, { key: certKey });
  }
  if (new Date(leaf.validFrom).getTime() > now.getTime()) {
    throw new ConfigurationError(`"${certKey}": the certificate in ${files.cert ?? ''} is not valid before ${leaf.validFrom}`, { key: certKey });
  }
  if (cas !== undefined && !chainsTo(leaf, chain.slice(1), cas)) {
    throw new ConfigurationError(
      `"${certKey}": the certificate in ${files.cert ?? ''} (issuer ${leaf.issuer.replace(/\n/g, ', ')}) is not signed by a CA of "${files.prefix}.ca" (${files.ca ?? ''}): peers would refuse it`,
      { key: certKey },
    );
  }
}

/** True when `cert` is signed by a CA of `cas`, directly or through the intermediates of `chain`. */
function chainsTo(cert: X509Certificate, chain: readonly X509Certificate[], cas: readonly X509Certificate[]): boolean {
  if (cas.some((ca) => signedBy(cert, ca))) return true;
  const issuer = chain.find((candidate) => signedBy(cert, candidate));
  return issuer !== undefined && chainsTo(issuer, chain.filter((c) => c !== issuer), cas);
}

/** True when `ca` issued `cert` and its signature verifies with the CA's key. */
export function signedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
