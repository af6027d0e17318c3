import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';
import { DaemonProcess } from './daemon-process.js';

export interface StartedJobManager {
  readonly daemon: DaemonProcess;
  readonly rpcAddress: string;
  readonly restUrl: string;
  readonly rpcPort: number;
}

export interface StartedTaskManager {
  readonly daemon: DaemonProcess;
  readonly resourceId: string;
  readonly rpcPort: number;
  readonly httpPort: number;
}

/** Starts a JobManager on 127.0.0.1 (ports 0 unless given). */
export async function startJobManager(options: { rpcPort?: number; restPort?: number; set?: readonly string[] } = {}): Promise<StartedJobManager> {
  const { daemon, ready } = await DaemonProcess.start(
    'jobmanager',
    [
      'jobmanager', '--host', '127.0.0.1',
      '--rpc-port', String(options.rpcPort ?? 0), '--rest-port', String(options.restPort ?? 0),
      ...(options.set ?? []).flatMap((pair) => ['-D', pair]),
    ],
    { readyMessage: 'JobManager running' },
  );
  return {
    daemon,
    rpcAddress: String(ready['rpcAddress']),
    restUrl: String(ready['restUrl']),
    rpcPort: Number(ready['rpcPort']),
  };
}

/**
 * Starts a TaskManager on 127.0.0.1 with free ports, registering with
 * `jobManager`; `startTimeoutMs` (default 20 s) bounds the wait for it to be
 * running — give more to one started while a job restarts on a busy machine.
 */
export async function startTaskManager(
  jobManager: string,
  options: { slots?: number; set?: readonly string[]; name?: string; startTimeoutMs?: number } = {},
): Promise<StartedTaskManager> {
  // Bundle caches and local-recovery copies go to a folder of this test run, removed when the
  // test process exits — a TaskManager killed with SIGKILL cannot clean up after itself.
  const set = options.set ?? [];
  const tmpDirs = set.some((pair) => pair.startsWith('taskmanager.tmp.dirs=')) ? [] : [`taskmanager.tmp.dirs=${testTmpRoot()}`];
  const { daemon, ready } = await DaemonProcess.start(
    options.name ?? 'taskmanager',
    [
      'taskmanager', '--host', '127.0.0.1', '--jobmanager', jobManager,
      '--slots', String(options.slots ?? 1),
      '--rpc-port', '0', '--data-port', '0', '--http-port', '0',
      ...[...set, ...tmpDirs].flatMap((pair) => ['-D', pair]),
    ],
    { readyMessage: 'TaskManager running', ...(options.startTimeoutMs !== undefined ? { timeoutMs: options.startTimeoutMs } : {}) },
  );
  return {
    daemon,
    resourceId: String(ready['resourceId']),
    rpcPort: Number(ready['rpcPort']),
    httpPort: Number(ready['httpPort']),
  };
}

export interface StartedCluster {
  readonly jobManager: StartedJobManager;
  readonly taskManagers: readonly StartedTaskManager[];
}

/**
 * A JobManager and `taskManagers` TaskManagers with `slots` slots each, all
 * with the same `-D` settings; resolves once the JobManager counts every slot.
 */
export async function startCluster(options: { taskManagers: number; slots: number; set?: readonly string[] }): Promise<StartedCluster> {
  const jobManager = await startJobManager({ set: options.set ?? [] });
  const taskManagers: StartedTaskManager[] = [];
  for (let i = 0; i < options.taskManagers; i++) {
    taskManagers.push(await startTaskManager(jobManager.rpcAddress, { slots: options.slots, name: `tm${i + 1}`, set: options.set ?? [] }));
  }
  const expected = options.taskManagers * options.slots;
  await waitFor(
    async () => ((await (await fetch(`${jobManager.restUrl}/overview`)).json()) as { 'slots-total': number })['slots-total'] === expected,
    { timeoutMs: 20_000, what: `${expected} slots registered` },
  );
  return { jobManager, taskManagers };
}

let tmpRoot: string | undefined;

/** One temporary folder per test process for TaskManager files, removed on exit. */
function testTmpRoot(): string {
  if (tmpRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'rivulet-test-taskmanagers-'));
    tmpRoot = root;
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  return tmpRoot;
}
