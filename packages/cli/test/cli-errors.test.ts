import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort, runCli } from '@rivulet/testing';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-cli-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function assertOneLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line of error, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

describe('bad input to the CLI and daemons', { timeout: 60_000 }, () => {
  test('an unknown configuration key in the file: exit 2, names the key and suggests the right one', async () => {
    const file = join(dir, 'bad-key.yaml');
    writeFileSync(file, 'heartbeat:\n  timout: 3s\n');
    const result = await runCli(['jobmanager', '--config', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown configuration key "heartbeat\.timout"/);
    assert.match(result.stderr, /did you mean "heartbeat\.timeout"/);
    assert.match(result.stderr, new RegExp(file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assertOneLine(result.stderr);
  });

  test('a bad value: exit 2, names the key and what was expected', async () => {
    const result = await runCli(['taskmanager', '-D', 'taskmanager.numberOfTaskSlots=many']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /"taskmanager\.numberOfTaskSlots": expected an integer in 1\.\.1024, got "many"/);
    assertOneLine(result.stderr);
  });

  test('a bad value from the environment names the variable', async () => {
    const result = await runCli(['jobmanager'], { env: { RIVULET_REST_PORT: '99999' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /environment RIVULET_REST_PORT: bad value for "rest\.port"/);
  });

  test('an unknown RIVULET_ variable is refused', async () => {
    const result = await runCli(['jobmanager'], { env: { RIVULET_HEARTBEAT_TIMOUT: '3s' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown configuration variable RIVULET_HEARTBEAT_TIMOUT \(did you mean RIVULET_HEARTBEAT_TIMEOUT\?\)/);
  });

  test('a missing config file: exit 2 naming the path', async () => {
    const missing = join(dir, 'does-not-exist.yaml');
    const result = await runCli(['taskmanager', '--config', missing]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read it: no such file/);
    assert.ok(result.stderr.includes(missing));
  });

  test('an unknown CLI flag: exit 2 naming the flag', async () => {
    const result = await runCli(['cluster', '--frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--frobnicate'/);
  });

  test('a bad flag value: exit 2', async () => {
    const result = await runCli(['local', '--taskmanagers', 'zero']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--taskmanagers must be a positive integer, got "zero"/);
  });

  test('a client command to a port where nothing listens: exit 1, one line', async () => {
    const port = await freePort();
    for (const args of [['cluster'], ['list'], ['status', 'abc'], ['cancel', 'abc']]) {
      const result = await runCli([...args, '--jobmanager', `127.0.0.1:${port}`]);
      assert.equal(result.code, 1, `rivulet ${args.join(' ')}`);
      assert.match(result.stderr, new RegExp(`cannot reach JobManager at 127\\.0\\.0\\.1:${port}: connection refused`));
      assertOneLine(result.stderr);
    }
  });

  test('a daemon whose port is taken exits 1 with a one-line message', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['jobmanager', '--host', '127.0.0.1', '--rpc-port', '0', '--rest-port', String(port)]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cannot bind HTTP server to 127\\.0\\.0\\.1:${port}`));
    } finally {
      blocker.close();
    }
  });
});
