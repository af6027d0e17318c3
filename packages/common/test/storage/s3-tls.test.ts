import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCheckpointStorage, loadConfiguration } from '../../src/index.js';
import { makePki } from '../security/pki.js';
import { startS3rver, type S3Server } from './s3rver.js';

/**
 * An S3 endpoint over HTTPS whose certificate comes from the cluster CA (a
 * MinIO secured with the script's certificates): with internal TLS on the
 * S3 client trusts the cluster CA besides the system's; without, the
 * certificate is not trusted and the call fails saying so.
 */
const pki = makePki('s3');
let server: S3Server;

before(async () => {
  server = await startS3rver(['secured'], pki.cert('s3'));
});
after(async () => server?.close());

const config = (internalTls: boolean) => loadConfiguration({
  flags: {
    ...server.config,
    's3.retry.deadline': '2s',
    ...(internalTls ? { 'security.ssl.internal.enabled': true, 'security.ssl.internal.ca': pki.ca } : {}),
  },
});

describe('checkpoint storage on an https:// S3 endpoint of the cluster CA', () => {
  test('with internal TLS on, the cluster CA is trusted: objects round-trip', async () => {
    assert.match(server.endpoint, /^https:\/\//);
    const storage = createCheckpointStorage('s3://secured/checkpoints', config(true));
    try {
      await storage.put('chk-1/_metadata', Buffer.from('over TLS'));
      assert.equal((await storage.get('chk-1/_metadata')).toString(), 'over TLS');
    } finally {
      await storage.close();
    }
  });

  test('without it the endpoint\'s certificate is not trusted', async () => {
    const storage = createCheckpointStorage('s3://secured/checkpoints', config(false));
    try {
      await assert.rejects(storage.get('chk-1/_metadata'), /certificate|self[- ]signed|issuer/i);
    } finally {
      await storage.close();
    }
  });
});
