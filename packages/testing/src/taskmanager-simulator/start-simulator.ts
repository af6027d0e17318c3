import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatorCommand, SimulatorEvent, SimulatorHostOptions } from './simulator-protocol.js';

export interface TaskManagerSimulatorOptions {
  /** The JobManager's gRPC address (host:port). */
  readonly jobManager: string;
  readonly taskManagers: number;
  readonly slotsPerTaskManager: number;
  /** Processes the TaskManagers are spread over (default: one per 250). */
  readonly processes?: number;
  /** Keyed-state bytes each task reports per checkpoint (handles only; default 0: no state). */
  readonly stateBytesPerTask?: number;
  /** Resource id prefix (default `sim`). */
  readonly prefix?: string;
  /** Bound of the wait for every TaskManager to register (default 120 s). */
  readonly startTimeoutMs?: number;
}

export interface TaskManagerSimulator {
  readonly resourceIds: readonly string[];
  readonly pids: readonly number[];
  /** Crashes these TaskManagers (no goodbye: the JobManager finds out by heartbeat timeout). */
  kill(resourceIds: readonly string[]): Promise<void>;
  /** Every task of the job ends its input: the job takes its final checkpoint and finishes. */
  endData(jobId: string): void;
  /** Tasks deployed and not ended, over every host. */
  countTasks(): Promise<number>;
  /** Ends every host process (by pid). */
  stop(): Promise<void>;
}

const HOST_ENTRY = fileURLToPath(new URL('./simulator-host.js', import.meta.url));

interface Host {
  readonly child: ChildProcess;
  readonly resourceIds: string[];
}

/**
 * Starts simulated TaskManagers (SimulatedTaskManager) in `processes` child
 * processes and resolves once every one registered with the JobManager. A
 * checkpoint triggered on any host is relayed to the others, so every task
 * of the job acknowledges it (a barrier that takes no time to flow).
 */
export async function startTaskManagerSimulator(options: TaskManagerSimulatorOptions): Promise<TaskManagerSimulator> {
  const processes = Math.max(1, Math.min(options.taskManagers, options.processes ?? Math.ceil(options.taskManagers / 250)));
  const per = Math.ceil(options.taskManagers / processes);
  const hosts: Host[] = [];
  let requestIds = 0;
  const pending = new Map<number, (tasks: number) => void>();
  const onEvent = (from: Host, event: SimulatorEvent): void => {
    if (event.kind === 'checkpoint-triggered') {
      for (const host of hosts) if (host !== from) command(host, { kind: 'checkpoint', jobId: event.jobId, checkpointId: event.checkpointId });
    } else if (event.kind === 'task-count') {
      pending.get(event.requestId)?.(event.tasks);
      pending.delete(event.requestId);
    }
  };
  const command = (host: Host, message: SimulatorCommand): void => {
    if (host.child.connected) host.child.send(message);
  };
  const starts: Promise<void>[] = [];
  for (let p = 0, first = 0; p < processes && first < options.taskManagers; p++, first += per) {
    const hostOptions: SimulatorHostOptions = {
      jobManager: options.jobManager,
      prefix: options.prefix ?? 'sim',
      firstIndex: first,
      count: Math.min(per, options.taskManagers - first),
      slots: options.slotsPerTaskManager,
      stateBytesPerTask: options.stateBytesPerTask ?? 0,
    };
    const child = fork(HOST_ENTRY, [], {
      env: { ...process.env, RIVULET_SIMULATOR_OPTIONS: JSON.stringify(hostOptions) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host: Host = { child, resourceIds: [] };
    hosts.push(host);
    starts.push(new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator host ${p} (pid ${child.pid}): its ${hostOptions.count} TaskManagers did not all register within ${options.startTimeoutMs ?? 120_000} ms`)), options.startTimeoutMs ?? 120_000);
      child.on('message', (event: SimulatorEvent) => {
        if (event.kind === 'ready') {
          clearTimeout(timer);
          host.resourceIds.push(...event.resourceIds);
          resolve();
        } else if (event.kind === 'failed') {
          clearTimeout(timer);
          reject(new Error(`simulator host ${p} (pid ${child.pid}) failed: ${event.message}`));
        } else {
          onEvent(host, event);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`simulator host ${p} (pid ${child.pid}) exited (${signal ?? code}) before its TaskManagers registered`));
      });
    }));
  }
  const stop = async (): Promise<void> => {
    await Promise.all(hosts.map((host) => new Promise<void>((resolve) => {
      if (host.child.exitCode !== null || host.child.signalCode !== null) return resolve();
      host.child.once('exit', () => resolve());
      host.child.kill('SIGKILL');
    })));
  };
  try {
    await Promise.all(starts);
  } catch (err) {
    await stop();
    throw err;
  }
  const hostOf = new Map<string, Host>();
  for (const host of hosts) for (const id of host.resourceIds) hostOf.set(id, host);
  return {
    resourceIds: hosts.flatMap((host) => host.resourceIds),
    pids: hosts.map((host) => host.child.pid!),
    async kill(resourceIds) {
      const byHost = new Map<Host, string[]>();
      for (const id of resourceIds) {
        const host = hostOf.get(id);
        if (!host) throw new Error(`no simulated TaskManager ${id}`);
        byHost.set(host, [...(byHost.get(host) ?? []), id]);
      }
      await Promise.all([...byHost].map(([host, ids]) => new Promise<void>((resolve) => {
        const onKilled = (event: SimulatorEvent): void => {
          if (event.kind !== 'killed') return;
          host.child.off('message', onKilled);
          resolve();
        };
        host.child.on('message', onKilled);
        command(host, { kind: 'kill', resourceIds: ids });
      })));
    },
    endData(jobId) {
      for (const host of hosts) command(host, { kind: 'end-data', jobId });
    },
    async countTasks() {
      const counts = await Promise.all(hosts.map((host) => new Promise<number>((resolve) => {
        const requestId = ++requestIds;
        pending.set(requestId, resolve);
        command(host, { kind: 'count-tasks', requestId });
      })));
      return counts.reduce((a, b) => a + b, 0);
    },
    stop,
  };
}
