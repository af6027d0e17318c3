import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** The certificate script the docs and the compose init service use. */
export const CREATE_CERTIFICATES_SCRIPT = join(REPO_ROOT, 'deploy', 'certs', 'create-certificates.sh');

/** A CA made for a test and the certificates it issued, as file paths. */
export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  /** The client token the script created. */
  readonly tokenFile: string;
  /** A certificate named `name` (SANs: DNS:name, DNS:localhost, IP:127.0.0.1), made on first use. */
  certificate(name: string): { readonly cert: string; readonly key: string };
  /** A certificate of this CA that expired yesterday (made with `openssl ca`, which can back-date). */
  expiredCertificate(name: string): { readonly cert: string; readonly key: string };
  /** `-D` pairs for a daemon with internal TLS on and certificate `name`. */
  internalTlsSettings(name: string): string[];
}

/**
 * Creates a CA and certificates in a temporary folder with
 * deploy/certs/create-certificates.sh (so the tests exercise the script
 * users run), removed when the process exits. Never committed: keys are
 * made anew by every test run.
 */
export function createTestPki(label = 'cluster'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `rivulet-test-pki-${label}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const run = (...names: string[]): void => {
    execFileSync('sh', [CREATE_CERTIFICATES_SCRIPT, dir, ...names], { stdio: 'pipe' });
  };
  run();
  const pki: TestPki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    tokenFile: join(dir, 'client-token'),
    certificate(name) {
      run(`${name}:DNS:localhost,IP:127.0.0.1`);
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
    expiredCertificate(name) {
      return backDated(dir, name);
    },
    internalTlsSettings(name) {
      const { cert, key } = pki.certificate(name);
      return [
        'security.ssl.internal.enabled=true',
        `security.ssl.internal.cert=${cert}`,
        `security.ssl.internal.key=${key}`,
        `security.ssl.internal.ca=${join(dir, 'ca.crt')}`,
      ];
    },
  };
  return pki;
}

function backDated(dir: string, name: string): { cert: string; key: string } {
  const db = join(dir, `ca-db-${name}`);
  mkdirSync(join(db, 'new'), { recursive: true });
  writeFileSync(join(db, 'index.txt'), '');
  writeFileSync(join(db, 'serial'), '1000\n');
  const config = join(db, 'openssl.cnf');
  writeFileSync(config, [
    '[ca]', 'default_ca = test_ca', '[test_ca]',
    `database = ${join(db, 'index.txt')}`, `new_certs_dir = ${join(db, 'new')}`, `serial = ${join(db, 'serial')}`,
    'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none', 'x509_extensions = leaf',
    '[any]', 'commonName = supplied', '[leaf]', 'basicConstraints = critical,CA:FALSE',
    'extendedKeyUsage = serverAuth,clientAuth', 'subjectAltName = DNS:localhost,IP:127.0.0.1', '',
  ].join('\n'));
  const key = join(dir, `${name}.key`);
  const csr = join(db, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`], { stdio: 'pipe' });
  const day = 24 * 3600 * 1000;
  const stamp = (date: Date): string => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  execFileSync('openssl', [
    'ca', '-batch', '-config', config, '-cert', join(dir, 'ca.crt'), '-keyfile', join(dir, 'ca.key'),
    '-in', csr, '-out', cert, '-notext',
    '-startdate', stamp(new Date(Date.now() - 3 * day)), '-enddate', stamp(new Date(Date.now() - day)),
  ], { stdio: 'pipe' });
  return { cert, key };
}
