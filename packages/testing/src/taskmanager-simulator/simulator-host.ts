/**
 * A process hosting many simulated TaskManagers (SimulatedTaskManager), run
 * by `startTaskManagerSimulator` with `child_process.fork`. Talks to its
 * parent over the IPC channel (SimulatorCommand in, SimulatorEvent out).
 */
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, errorMessage, rivuletProto } from '@rivulet/common';
import { SimulatedTaskManager } from './simulated-taskmanager.js';
import type { SimulatedTask, TaskEvents } from './simulated-task.js';
import type { SimulatorCommand, SimulatorEvent, SimulatorHostOptions } from './simulator-protocol.js';

const options = JSON.parse(process.env['RIVULET_SIMULATOR_OPTIONS'] ?? 'null') as SimulatorHostOptions | null;
if (options === null) throw new Error('RIVULET_SIMULATOR_OPTIONS is not set: this file is started by startTaskManagerSimulator');

function send(event: SimulatorEvent): void {
  process.send?.(event);
}

/** Tasks per job here, and the checkpoints of each job this host has acknowledged already. */
const tasksByJob = new Map<string, Set<SimulatedTask>>();
const acknowledged = new Set<string>();

function acknowledge(jobId: string, checkpointId: number): boolean {
  const key = `${jobId}#${checkpointId}`;
  if (acknowledged.has(key)) return false;
  acknowledged.add(key);
  const owners = new Set<SimulatedTaskManager>();
  for (const task of tasksByJob.get(jobId) ?? []) owners.add(task.owner);
  for (const owner of owners) owner.acknowledgeAll(jobId, checkpointId);
  return true;
}

const events: TaskEvents = {
  deployed(task) {
    let tasks = tasksByJob.get(task.jobId);
    if (!tasks) tasksByJob.set(task.jobId, (tasks = new Set()));
    tasks.add(task);
  },
  forget(task) {
    tasksByJob.get(task.jobId)?.delete(task);
  },
  checkpointTriggered(jobId, checkpointId) {
    if (acknowledge(jobId, checkpointId)) send({ kind: 'checkpoint-triggered', jobId, checkpointId });
  },
};

const JobManagerService = rivuletProto().JobManagerService;
const client = new JobManagerService(options.jobManager, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
const taskManagers = new Map<string, SimulatedTaskManager>();

async function startAll(hostOptions: SimulatorHostOptions): Promise<void> {
  const all = Array.from({ length: hostOptions.count }, (_, i) => new SimulatedTaskManager({
    resourceId: `${hostOptions.prefix}-${hostOptions.firstIndex + i}`,
    slots: hostOptions.slots,
    jobManager: hostOptions.jobManager,
    client,
    stateBytesPerTask: hostOptions.stateBytesPerTask,
    events,
  }));
  for (const tm of all) taskManagers.set(tm.resourceId, tm);
  // At most 50 registrations in flight from one host: a registration storm, but not an unbounded one.
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(50, all.length) }, async () => {
    while (next < all.length) await all[next++]!.start();
  }));
}

process.on('message', (command: SimulatorCommand) => {
  switch (command.kind) {
    case 'kill':
      for (const id of command.resourceIds) taskManagers.get(id)?.kill();
      send({ kind: 'killed', resourceIds: command.resourceIds.filter((id) => taskManagers.has(id)) });
      break;
    case 'checkpoint':
      acknowledge(command.jobId, command.checkpointId);
      break;
    case 'end-data':
      for (const tm of taskManagers.values()) tm.endData(command.jobId);
      break;
    case 'count-tasks': {
      let tasks = 0;
      for (const tm of taskManagers.values()) tasks += tm.taskCount;
      send({ kind: 'task-count', requestId: command.requestId, tasks });
      break;
    }
    case 'stop':
      for (const tm of taskManagers.values()) tm.kill();
      client.close();
      process.exit(0);
  }
});

startAll(options).then(
  () => send({ kind: 'ready', resourceIds: [...taskManagers.keys()] }),
  (err: unknown) => {
    send({ kind: 'failed', message: errorMessage(err) });
    process.exit(1);
  },
);
