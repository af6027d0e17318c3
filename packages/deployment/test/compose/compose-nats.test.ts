import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, freePort, natsServerBinary, waitFor } from '@rivulet/testing';
import { readComposeFile, serviceCommand, serviceMounts } from '../../src/compose/compose-file.js';

/**
 * docker-compose.yml's NATS service (issue 14): JetStream on, its store on a
 * named volume, a healthcheck on the monitoring port it opens; and its
 * command, run by Debian's nats-server 2.9 (the tests' stand-in for the
 * image's), starts JetStream and answers that healthcheck.
 */
const file = readComposeFile(join(REPO_ROOT, 'docker-compose.yml'), {});
const nats = file.services['nats']!;
const command = serviceCommand('nats', nats);

function valueOf(flag: string): string | undefined {
  const at = command.indexOf(flag);
  return at < 0 ? undefined : command[at + 1];
}

describe('docker-compose.yml nats', { timeout: 60_000 }, () => {
  it('runs JetStream with its store on the named volume nats-data', () => {
    assert.ok(command.includes('-js'), `command ${JSON.stringify(command)} has no -js`);
    const store = valueOf('-sd');
    assert.ok(store, 'the store dir is set (-sd)');
    assert.deepEqual(serviceMounts(file, 'nats'), [{ type: 'volume', source: 'nats-data', target: store, readOnly: false }]);
  });

  it('checks health on the monitoring port its command opens', () => {
    const test = nats.healthcheck?.test as string[] | undefined;
    assert.ok(test && test[0] === 'CMD', 'a CMD healthcheck');
    const url = new URL(test[test.length - 1]!);
    assert.equal(url.port, valueOf('-m'), 'the healthcheck asks the monitoring port (-m)');
    assert.equal(url.pathname, '/healthz');
  });

  it("its command, run by Debian's nats-server, serves JetStream and a healthy /healthz", async () => {
    const binary = natsServerBinary();
    assert.ok(binary, "nats-server is not installed (scripts/setup.sh installs Debian's nats-server)");
    const store = mkdtempSync(join(tmpdir(), 'rivulet-compose-nats-'));
    const [clientPort, monitorPort] = [await freePort(), await freePort()];
    // The container's paths and ports become local ones; the rest is the service's command.
    const args = command.map((arg, i) => (command[i - 1] === '-sd' ? store : command[i - 1] === '-m' ? String(monitorPort) : arg));
    const child = spawn(binary, [...args, '-a', '127.0.0.1', '-p', String(clientPort)], { stdio: 'ignore' });
    try {
      const url = new URL((nats.healthcheck!.test as string[]).at(-1)!);
      url.host = `127.0.0.1:${monitorPort}`;
      await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok, { timeoutMs: 15_000, what: `${url.href} to answer 200` });
      const jsz = (await (await fetch(`http://127.0.0.1:${monitorPort}/jsz`)).json()) as { disabled?: boolean; config?: { store_dir?: string } };
      assert.equal(jsz.disabled, undefined, 'JetStream is enabled');
      assert.ok(jsz.config?.store_dir?.startsWith(store), `the store is in the mounted folder (${jsz.config?.store_dir})`);
    } finally {
      child.kill('SIGKILL');
      rmSync(store, { recursive: true, force: true });
    }
  });
});
