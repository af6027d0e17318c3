import { ConfigurationError } from '../errors.js';
import type { Configuration } from '../config/load-configuration.js';
import { BearerToken } from './bearer-token.js';
import type { AuthorizationSettings } from './call-authorization.js';
import { readTlsMaterial, type TlsMaterial } from './tls-material.js';

/** What a daemon enforces and presents, read once from its configuration at start. */
export interface DaemonSecurity {
  /** Internal TLS material (certificate, key, cluster CA); undefined: internal connections are plaintext. */
  readonly internalTls: TlsMaterial | undefined;
  readonly authorization: AuthorizationSettings;
}

/**
 * Reads a daemon's security settings, checking every file now: a daemon with
 * internal TLS on and a missing, mismatched, expired or foreign certificate
 * fails at start with a ConfigurationError naming the key and file, instead
 * of being refused by its peers later.
 */
export function daemonSecurity(config: Configuration): DaemonSecurity {
  const internalTls = config['security.ssl.internal.enabled'] ? readTlsMaterial(internalFiles(config), { identity: true }) : undefined;
  return {
    internalTls,
    authorization: {
      internalTls: internalTls !== undefined,
      token: BearerToken.fromConfig(config),
      readOnly: config['security.auth.read-only-endpoints'],
    },
  };
}

/** What a client (the CLI) uses: TLS towards the JobManager's gRPC port (the CA; a certificate only if configured) and the token. */
export interface ClientSecurity {
  readonly tls: TlsMaterial | undefined;
  readonly token: BearerToken | undefined;
}

export function clientSecurity(config: Configuration): ClientSecurity {
  if (config['security.ssl.internal.enabled'] && config['security.ssl.internal.ca'] === null) {
    throw new ConfigurationError('"security.ssl.internal.ca" must name the cluster CA\'s PEM file when "security.ssl.internal.enabled" is true: the CLI verifies the JobManager against it', { key: 'security.ssl.internal.ca' });
  }
  return {
    tls: config['security.ssl.internal.enabled'] ? readTlsMaterial(internalFiles(config), { identity: false }) : undefined,
    token: BearerToken.fromConfig(config),
  };
}

function internalFiles(config: Configuration) {
  return {
    prefix: 'security.ssl.internal',
    cert: config['security.ssl.internal.cert'],
    key: config['security.ssl.internal.key'],
    ca: config['security.ssl.internal.ca'],
  };
}

/** The REST port's TLS: server material, and whether clients must present a certificate of `material.ca`. */
export interface RestTls {
  readonly material: TlsMaterial;
  readonly clientAuthentication: boolean;
}

export function restTls(config: Configuration): RestTls | undefined {
  if (!config['security.ssl.rest.enabled']) {
    if (config['security.ssl.rest.authentication-enabled']) {
      throw new ConfigurationError('"security.ssl.rest.authentication-enabled" needs "security.ssl.rest.enabled": true', { key: 'security.ssl.rest.authentication-enabled' });
    }
    return undefined;
  }
  const clientAuthentication = config['security.ssl.rest.authentication-enabled'];
  const files = {
    prefix: 'security.ssl.rest',
    cert: config['security.ssl.rest.cert'],
    key: config['security.ssl.rest.key'],
    ca: config['security.ssl.rest.ca'],
  };
  if (!clientAuthentication) {
    // Server TLS only: no CA is needed (clients are not asked for certificates).
    const material = readTlsMaterial({ ...files, ca: files.cert }, { identity: true, ownCertificateFromCa: false });
    return { material: { ...material, ca: '' }, clientAuthentication };
  }
  // The CA is that of the clients' certificates; the server's own may come from another one.
  return { material: readTlsMaterial(files, { identity: true, ownCertificateFromCa: false }), clientAuthentication };
}
