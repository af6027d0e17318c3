import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigurationError, readTlsMaterial } from '../../src/index.js';
import { makePki } from './pki.js';

const pki = makePki('material');
const other = makePki('material-other');
const files = (cert: { cert: string; key: string } | undefined, ca: string | null) => ({
  prefix: 'security.ssl.internal', cert: cert?.cert ?? null, key: cert?.key ?? null, ca,
});

function refused(run: () => unknown, key: string, pattern: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ConfigurationError, String(err));
    assert.equal(err.key, key);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('readTlsMaterial: PEM files checked at start, every error naming the key and file', () => {
  test('a certificate of the CA with its key is read as text', () => {
    const node = pki.cert('node');
    const material = readTlsMaterial(files(node, pki.ca));
    assert.match(material.cert, /BEGIN CERTIFICATE/);
    assert.match(material.key, /PRIVATE KEY/);
    assert.match(material.ca, /BEGIN CERTIFICATE/);
  });

  test('a client without identity needs the CA only', () => {
    assert.deepEqual(readTlsMaterial(files(undefined, pki.ca), { identity: false }).cert, '');
  });

  test('missing keys and files are named', () => {
    refused(() => readTlsMaterial(files(undefined, pki.ca)), 'security.ssl.internal.cert', /must name a PEM file when "security.ssl.internal.enabled" is true/);
    refused(() => readTlsMaterial(files(pki.cert('node'), null)), 'security.ssl.internal.ca', /must name a PEM file/);
    refused(() => readTlsMaterial(files({ cert: join(pki.dir, 'nope.crt'), key: pki.cert('node').key }, pki.ca)), 'security.ssl.internal.cert', /cannot read .*nope\.crt: no such file/);
  });

  test('text that is no certificate, or a key of another certificate, is refused', () => {
    const garbage = join(pki.dir, 'garbage.pem');
    writeFileSync(garbage, 'hello\n');
    refused(() => readTlsMaterial(files(pki.cert('node'), garbage)), 'security.ssl.internal.ca', /holds no PEM certificate/);
    refused(() => readTlsMaterial(files({ cert: pki.cert('node').cert, key: garbage }, pki.ca)), 'security.ssl.internal.key', /no usable private key/);
    refused(() => readTlsMaterial(files({ cert: pki.cert('node').cert, key: pki.cert('other-node').key }, pki.ca)), 'security.ssl.internal.key', /does not belong to the certificate/);
  });

  test('a certificate of another CA, or an expired one, is refused before anything listens', () => {
    refused(() => readTlsMaterial(files(other.cert('stranger'), pki.ca)), 'security.ssl.internal.cert', /is not signed by a CA of "security\.ssl\.internal\.ca".*peers would refuse it/);
    refused(() => readTlsMaterial(files(pki.expired('old'), pki.ca)), 'security.ssl.internal.cert', /expired on/);
  });

  test('a CA bundle with the old and the new CA accepts certificates of both (rotation of the CA)', () => {
    const bundle = join(pki.dir, 'bundle.pem');
    writeFileSync(bundle, `${readFile(pki.ca)}${readFile(other.ca)}`);
    assert.ok(readTlsMaterial(files(pki.cert('node'), bundle)));
    assert.ok(readTlsMaterial(files(other.cert('stranger'), bundle)));
  });
});

function readFile(path: string): string {
  return readFileSync(path, 'utf8');
}
