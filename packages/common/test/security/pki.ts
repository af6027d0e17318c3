import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file compiles to packages/common/dist/test/security/: five levels below the repository root. */
const SCRIPT = fileURLToPath(new URL('../../../../../deploy/certs/create-certificates.sh', import.meta.url));

/** A CA and certificates in a temporary folder, made with deploy/certs/create-certificates.sh; removed at exit. */
export function makePki(label: string): { dir: string; ca: string; cert(name: string): { cert: string; key: string }; expired(name: string): { cert: string; key: string } } {
  const dir = mkdtempSync(join(tmpdir(), `rivulet-unit-pki-${label}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  execFileSync('sh', [SCRIPT, dir], { stdio: 'pipe' });
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    cert(name) {
      execFileSync('sh', [SCRIPT, dir, `${name}:DNS:localhost,IP:127.0.0.1`], { stdio: 'pipe' });
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
    expired(name) {
      const db = join(dir, `db-${name}`);
      mkdirSync(join(db, 'new'), { recursive: true });
      writeFileSync(join(db, 'index.txt'), '');
      writeFileSync(join(db, 'serial'), '1000\n');
      writeFileSync(join(db, 'ca.cnf'), `[ca]\ndefault_ca = c\n[c]\ndatabase = ${db}/index.txt\nnew_certs_dir = ${db}/new\nserial = ${db}/serial\ndefault_md = sha256\npolicy = p\nx509_extensions = x\n[p]\ncommonName = supplied\n[x]\nextendedKeyUsage = serverAuth,clientAuth\n`);
      const key = join(dir, `${name}.key`);
      const cert = join(dir, `${name}.crt`);
      execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', join(db, 'csr'), '-subj', `/CN=${name}`], { stdio: 'pipe' });
      const stamp = (ms: number): string => `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
      execFileSync('openssl', ['ca', '-batch', '-config', join(db, 'ca.cnf'), '-cert', join(dir, 'ca.crt'), '-keyfile', join(dir, 'ca.key'), '-in', join(db, 'csr'), '-out', cert, '-notext',
        '-startdate', stamp(Date.now() - 3 * 86_400_000), '-enddate', stamp(Date.now() - 86_400_000)], { stdio: 'pipe' });
      return { cert, key };
    },
  };
}
