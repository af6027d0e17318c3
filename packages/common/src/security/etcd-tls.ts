import { readFileSync } from 'node:fs';
import { ConfigurationError, errorMessage } from '../errors.js';

/** The keys an etcd client reads for TLS: the daemons' internal TLS (docs/security.md, "etcd and S3"). */
export interface EtcdTlsSettings {
  readonly 'high-availability.etcd.endpoints': readonly string[];
  readonly 'security.ssl.internal.enabled'?: boolean;
  readonly 'security.ssl.internal.cert'?: string | null;
  readonly 'security.ssl.internal.key'?: string | null;
  readonly 'security.ssl.internal.ca'?: string | null;
}

/** What etcd3 takes as `credentials` for https:// endpoints. */
export interface EtcdCredentials {
  readonly rootCertificate: Buffer;
  readonly privateKey?: Buffer;
  readonly certChain?: Buffer;
}

/**
 * TLS towards etcd. Plain http:// endpoints: none. https:// endpoints with
 * internal TLS on: etcd's certificate is verified against the cluster CA
 * (security.ssl.internal.ca; etcd checks host names, so its certificate
 * names the host the endpoints use), and the process presents its internal
 * certificate when it has one (etcd's --client-cert-auth with the cluster CA
 * as --trusted-ca-file). https:// without internal TLS: the system's CAs, no
 * client certificate. Mixing http:// and https:// endpoints is an error.
 */
export function etcdCredentials(settings: EtcdTlsSettings): EtcdCredentials | undefined {
  const endpoints = settings['high-availability.etcd.endpoints'];
  const secure = endpoints.filter((e) => e.startsWith('https://')).length;
  if (secure === 0) return undefined;
  if (secure !== endpoints.length) {
    throw new ConfigurationError('"high-availability.etcd.endpoints" mixes http:// and https:// URLs: use one scheme for every endpoint', { key: 'high-availability.etcd.endpoints' });
  }
  if (settings['security.ssl.internal.enabled'] !== true) return undefined;
  const file = (key: 'security.ssl.internal.cert' | 'security.ssl.internal.key' | 'security.ssl.internal.ca'): Buffer | undefined => {
    const path = settings[key];
    if (path === null || path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigurationError(`"${key}": cannot read ${path} for the etcd client: ${errorMessage(err)}`, { key, cause: err });
    }
  };
  const ca = file('security.ssl.internal.ca');
  if (ca === undefined) {
    throw new ConfigurationError('"security.ssl.internal.ca" must name the cluster CA to verify etcd at https:// endpoints', { key: 'security.ssl.internal.ca' });
  }
  const cert = file('security.ssl.internal.cert');
  const key = file('security.ssl.internal.key');
  return cert !== undefined && key !== undefined ? { rootCertificate: ca, privateKey: key, certChain: cert } : { rootCertificate: ca };
}
