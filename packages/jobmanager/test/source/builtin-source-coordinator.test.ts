import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { JOB_GRAPH_VERSION, type JobGraph } from '@rivulet/api';
import { createLogger, decodeEnumeratorEvent, decodeSourceData, encodeOperatorEvent, encodeSourceData, type CheckpointMetadata, type EnumeratorEvent, type LeaderSession } from '@rivulet/common';
import type { CompletedCheckpoint } from '../../src/checkpoint/index.js';
import { ExecutionGraph, type Execution } from '../../src/executiongraph/execution-graph.js';
import { buildVertexGraph } from '../../src/jobgraph/job-vertices.js';
import type { TaskManagerGateway } from '../../src/rpc/taskmanager-gateway.js';
import { createJobSourceCoordinator } from '../../src/source/job-source-coordinator.js';
import type { SourceCoordinator } from '../../src/source/source-coordinator.js';

/**
 * The source coordinator of a job whose source is built-in (fromSequence(0, 99)
 * at parallelism 2), with its real coordinator thread, a fake TaskManager
 * gateway and readers registered by hand: what each reader attempt is sent.
 */
const JOB_GRAPH: JobGraph = {
  version: JOB_GRAPH_VERSION,
  name: 'numbers',
  defaultParallelism: 2,
  maxParallelism: 128,
  operators: [{ id: 'numbers', hasUserUid: true, name: 'Source: Sequence', kind: 'source', variant: 'sequence', parallelism: 2, keyed: false, params: { from: 0, to: 99 } }],
  edges: [],
  args: [],
};
const SPLITS = [{ splitId: '0', next: 0, end: 50 }, { splitId: '1', next: 50, end: 100 }];

const coordinators: SourceCoordinator[] = [];
after(async () => {
  await Promise.all(coordinators.map((c) => c.close()));
});

let attempts = 0;

/** A coordinator, the executions of its graph running on TaskManager 'tm', and what each attempt was sent. */
function setUp(options: { refuse?: (attemptId: string) => boolean } = {}) {
  const graph = new ExecutionGraph(buildVertexGraph(JOB_GRAPH), Date.now);
  const sent = new Map<string, EnumeratorEvent[]>();
  const logs: { msg: string; thread?: string }[] = [];
  const gateway = {
    sendOperatorEvent: async (_address: string, _session: unknown, _jobId: string, attemptId: string, _operatorId: string, event: Uint8Array) => {
      if (options.refuse?.(attemptId)) throw new Error(`no task ${attemptId} runs here`);
      sent.set(attemptId, [...(sent.get(attemptId) ?? []), decodeEnumeratorEvent(event)]);
    },
  } as unknown as TaskManagerGateway;
  const failures: string[] = [];
  const coordinator = createJobSourceCoordinator({
    jobId: 'job',
    jobGraph: JOB_GRAPH,
    graph,
    gateway,
    session: () => ({ sessionId: 'session', epoch: 1 }) as unknown as LeaderSession,
    loadBundle: undefined,
    onFailure: (reason) => void failures.push(reason),
    onUndeliverable: (_execution, reason) => void failures.push(reason),
    undeliverableGraceMs: 200,
    log: createLogger({ component: 'test', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logs.push(JSON.parse(String(chunk)) as { msg: string }), done()) }) }),
  })!;
  coordinators.push(coordinator);
  /** Every subtask gets a new running attempt (the previous ones ended). */
  const deploy = (): Execution[] => {
    if (graph.executions.some((e) => e.state !== 'CREATED')) {
      for (const execution of graph.executions) execution.state = 'CANCELED';
      graph.rescale(buildVertexGraph(JOB_GRAPH));
    }
    return [...graph.executions].map((execution) => {
      const running = graph.adopt(execution, `attempt-${++attempts}`, execution.attemptNumber, 'RUNNING');
      running.slot = { resourceId: 'tm', registrationId: 'tm', slotIndex: running.subtaskIndex, allocationId: `a${running.subtaskIndex}`, rpcAddress: 'tm:1', dataHost: 'tm', dataPort: 2 };
      return running;
    });
  };
  const register = (execution: Execution): void =>
    coordinator.readerEvent('tm', execution.attemptId, 'numbers', encodeOperatorEvent({ kind: 'reader-registration', subtask: execution.subtaskIndex, location: 'tm' }));
  /** What `execution` was sent, once it was told there are no more splits. */
  const served = async (execution: Execution): Promise<EnumeratorEvent[]> => {
    for (let i = 0; i < 500; i++) {
      const events = sent.get(execution.attemptId) ?? [];
      if (events.some((e) => e.kind === 'no-more-splits')) return events;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`attempt ${execution.attemptId} was never told there are no more splits (failures: ${failures.join('; ')})`);
  };
  return { coordinator, deploy, register, served, logs, failures, sent };
}

/** A completed checkpoint whose metadata has the operator, with `coordinatorState` (or without: a snapshot of before the Source API). */
function checkpointWith(coordinatorState: Uint8Array | undefined): CompletedCheckpoint {
  const metadata = {
    operators: [{ operatorId: 'numbers', parallelism: 2, subtasks: [], ...(coordinatorState ? { coordinatorState: Buffer.from(coordinatorState).toString('base64') } : {}) }],
  } as unknown as CheckpointMetadata;
  return { checkpointId: 1, metadata } as CompletedCheckpoint;
}

describe('the source coordinator of built-in sources', { timeout: 60_000 }, () => {
  test('a reader is served its own split when it registers; the checkpoint holds what no reader has; a restart of every subtask restores the enumerator from it; all on the main thread', async () => {
    const { coordinator, deploy, register, served, logs, failures } = setUp();
    await coordinator.start();
    const first = deploy();
    register(first[0]!);
    assert.deepEqual(await served(first[0]!), [{ kind: 'add-splits', splits: [SPLITS[0]] }, { kind: 'no-more-splits' }]);
    const states = await coordinator.snapshot(1);
    coordinator.afterTrigger();
    assert.deepEqual(decodeSourceData(states.get('numbers')!), { version: 1, unassigned: [SPLITS[1]] }, 'split 1: its reader has not registered');
    coordinator.restart(first, checkpointWith(states.get('numbers')), true);
    const second = deploy();
    second.forEach(register);
    assert.deepEqual(await served(second[1]!), [{ kind: 'add-splits', splits: [SPLITS[1]] }, { kind: 'no-more-splits' }]);
    assert.deepEqual(await served(second[0]!), [{ kind: 'no-more-splits' }], 'split 0 is in its reader\'s state in that checkpoint');
    const starts = logs.filter((l) => l.msg === 'source coordinator started');
    assert.deepEqual(starts.map((l) => l.thread), ['main', 'main'], 'no worker thread for built-in sources');
    assert.deepEqual(failures, []);
  });

  test('a snapshot of before the Source API (no enumerator checkpoint) restores the enumerator with every split in the readers', async () => {
    const { coordinator, deploy, register, served } = setUp();
    await coordinator.start(new Map([['numbers', null]]));
    const readers = deploy();
    readers.forEach(register);
    for (const reader of readers) assert.deepEqual(await served(reader), [{ kind: 'no-more-splits' }]);
  });

  test('adopted by a new leader without a checkpoint: each running reader is given its split again (it ignores one it has) and no more', async () => {
    const { coordinator, deploy, served } = setUp();
    const readers = deploy();
    coordinator.adopt(undefined, readers);
    assert.deepEqual(await served(readers[0]!), [{ kind: 'add-splits', splits: [SPLITS[0]] }, { kind: 'no-more-splits' }]);
    assert.deepEqual(await served(readers[1]!), [{ kind: 'add-splits', splits: [SPLITS[1]] }, { kind: 'no-more-splits' }]);
    const states = await coordinator.snapshot(1);
    coordinator.afterTrigger();
    assert.deepEqual(decodeSourceData(states.get('numbers')!), { version: 1, unassigned: [] }, 'the state the lost enumerator had');
  });

  test('adopted from a checkpoint: each reader is served only what that checkpoint has unassigned', async () => {
    const { coordinator, deploy, served } = setUp();
    const readers = deploy();
    coordinator.adopt(checkpointWith(encodeSourceData({ version: 1, unassigned: [SPLITS[1]] })).metadata, readers);
    assert.deepEqual(await served(readers[0]!), [{ kind: 'no-more-splits' }]);
    assert.deepEqual(await served(readers[1]!), [{ kind: 'add-splits', splits: [SPLITS[1]] }, { kind: 'no-more-splits' }]);
  });

  test('an event its TaskManager refuses fails the reader only if the reader has not ended meanwhile: a task that failed a moment ago shows its own failure', async () => {
    const { coordinator, deploy, register, failures } = setUp({ refuse: () => true });
    await coordinator.start();
    const [ended, running] = deploy();
    register(ended!);
    register(running!);
    // The TaskManager's report that `ended` failed arrives within the grace period; `running` sends none.
    await new Promise((resolve) => setTimeout(resolve, 50));
    ended!.state = 'FAILED';
    for (let i = 0; i < 100 && failures.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(failures.length > 0, 'the running reader\'s lost events fail it');
    for (const failure of failures) assert.match(failure, new RegExp(`could not be delivered to its reader: no task ${running!.attemptId} runs here$`), 'never the reader that ended');
  });
});
