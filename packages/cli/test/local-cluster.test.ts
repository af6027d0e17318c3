import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { CLI_PATH, runCliJson, waitFor } from '@rivulet/testing';

interface LocalSummary {
  jobmanager: { pid: number; rpcAddress: string; restUrl: string };
  taskmanagers: Array<{ pid: number; id: string; slots: number }>;
  logDir: string;
}

const dir = mkdtempSync(join(tmpdir(), 'rivulet-local-'));
const pids: number[] = [];
after(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startLocal(logDir: string) {
  const child = spawn(
    process.execPath,
    [CLI_PATH, 'local', '--taskmanagers', '2', '--slots', '2', '-D', 'jobmanager.rpc.port=0', '-D', 'rest.port=0', '--log-dir', logDir, '--output', 'json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  pids.push(child.pid ?? -1);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const summary = await new Promise<LocalSummary>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('rivulet local did not print its summary in 30 s')), 30_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as LocalSummary);
    });
  });
  pids.push(summary.jobmanager.pid, ...summary.taskmanagers.map((tm) => tm.pid));
  return { child, summary, exited };
}

describe('rivulet local', { timeout: 90_000 }, () => {
  test('starts a JobManager and 2 TaskManagers as separate processes, and Ctrl-C stops them all', async () => {
    const logDir = join(dir, 'logs-a');
    const { child, summary, exited } = await startLocal(logDir);
    const daemonPids = [summary.jobmanager.pid, ...summary.taskmanagers.map((tm) => tm.pid)];
    assert.equal(new Set([child.pid, ...daemonPids]).size, 4, 'four distinct processes');
    assert.ok(daemonPids.every(alive));

    const cluster = await waitFor(async () => {
      const c = await runCliJson<{ taskmanagers: unknown[]; slotsTotal: number }>(['cluster', '--jobmanager', summary.jobmanager.rpcAddress]);
      return c.taskmanagers.length === 2 ? c : undefined;
    }, { timeoutMs: 10_000, what: '2 TaskManagers in the local cluster' });
    assert.equal(cluster.slotsTotal, 4);
    assert.deepEqual(readdirSync(logDir).sort(), ['jobmanager.log', 'taskmanager-1.log', 'taskmanager-2.log']);

    child.kill('SIGINT');
    assert.equal(await exited, 0);
    await waitFor(() => daemonPids.every((pid) => !alive(pid)), { timeoutMs: 15_000, what: 'every daemon to exit' });
  });

  test('a local cluster whose parent is killed with SIGKILL does not leave daemons behind', async () => {
    const { child, summary } = await startLocal(join(dir, 'logs-b'));
    const daemonPids = [summary.jobmanager.pid, ...summary.taskmanagers.map((tm) => tm.pid)];
    child.kill('SIGKILL');
    await waitFor(() => daemonPids.every((pid) => !alive(pid)), { timeoutMs: 15_000, what: 'orphaned daemons to stop' });
  });
});
