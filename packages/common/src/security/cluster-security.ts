import { ConfigurationError } from '../errors.js';
import type { Configuration } from '../config/load-configuration.js';
import { BearerToken } from './bearer-token.js';
import type { AuthorizationSettings } from './call-authorization.js';
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import { certificatesOf, readTlsMaterial, type TlsMaterial } from './tls-material.js';

/** What a daemon enforces and presents, read once from its configuration at start. */
export interface DaemonSecurity {
  /** Internal TLS material (certificate, key, cluster CA); undefined: internal connections are plaintext. */
  readonly internalTls: TlsMaterial | undefined;
  readonly authorization: AuthorizationSettings;
  /**
   * With internal TLS and security.ssl.rest.authentication-enabled: the REST
   * CA (PEM), whose client certificates also authenticate client calls on
   * the JobManager's gRPC port (the CLI's `security.ssl.rest.cert`).
   */
  readonly clientCa: string | undefined;
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
    clientCa: internalTls !== undefined && config['security.ssl.rest.authentication-enabled'] ? restClientCa(config) : undefined,
    authorization: {
      internalTls: internalTls !== undefined,
      token: BearerToken.fromConfig(config),
      readOnly: config['security.auth.read-only-endpoints'],
    },
  };
}

function restClientCa(config: Configuration): string {
  const path = config['security.ssl.rest.ca'];
  if (path === null) {
    throw new ConfigurationError('"security.ssl.rest.ca" must name the CA of the client certificates when "security.ssl.rest.authentication-enabled" is true', { key: 'security.ssl.rest.ca' });
  }
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigurationError(`"security.ssl.rest.ca": cannot read ${path}: ${errorMessage(err)}`, { key: 'security.ssl.rest.ca', cause: err });
  }
  certificatesOf(pem, 'security.ssl.rest.ca', path);
  return pem;
}

/**
 * What a client (the CLI) uses: TLS towards the JobManager's gRPC port (the
 * cluster CA; as its own certificate a REST client certificate,
 * security.ssl.rest.cert/key, when configured, else an internal one when
 * configured, else none) and the token.
 */
export interface ClientSecurity {
  readonly tls: TlsMaterial | undefined;
  readonly token: BearerToken | undefined;
}

export function clientSecurity(config: Configuration): ClientSecurity {
  if (config['security.ssl.internal.enabled'] && config['security.ssl.internal.ca'] === null) {
    throw new ConfigurationError('"security.ssl.internal.ca" must name the cluster CA\'s PEM file when "security.ssl.internal.enabled" is true: the CLI verifies the JobManager against it', { key: 'security.ssl.internal.ca' });
  }
  if (!config['security.ssl.internal.enabled']) return { tls: undefined, token: BearerToken.fromConfig(config) };
  const trust = readTlsMaterial(internalFiles(config), { identity: false });
  const restCert = config['security.ssl.rest.cert'];
  const restKey = config['security.ssl.rest.key'];
  const tls = restCert !== null && restKey !== null
    ? { ...readTlsMaterial({ prefix: 'security.ssl.rest', cert: restCert, key: restKey, ca: config['security.ssl.internal.ca'] }, { identity: true, ownCertificateFromCa: false }), ca: trust.ca }
    : trust;
  return { tls, token: BearerToken.fromConfig(config) };
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
