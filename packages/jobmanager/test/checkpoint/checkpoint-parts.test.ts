import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CheckpointMetadataError,
  ConfigurationError,
  Registry,
  loadConfiguration,
  JOB_SCOPED_KEYS,
  type CheckpointStorage,
} from '@rivulet/common';
import {
  CheckpointMetrics,
  CheckpointStatsTracker,
  TriggerRequestQueue,
  checkPlan,
  checkpointPlanOf,
  readCheckpointMetadata,
  resolveCheckpointConfiguration,
  type CheckpointStorageAccess,
} from '../../src/checkpoint/index.js';
import { ExecutionGraph } from '../../src/executiongraph/execution-graph.js';
import { Harness, InMemoryStorage, JOB_ID, twoVertexPlan } from './fakes.js';

describe('trigger request queue', () => {
  type R = { kind: 'periodic' | 'manual' | 'savepoint'; n: number };
  const state = { triggering: false, pending: 0, lastEnd: undefined, now: 1000 };

  test('periodic requests merge; savepoints go first; nothing starts while triggering', () => {
    const q = new TriggerRequestQueue<R>(1, 0);
    assert.equal(q.enqueue({ kind: 'periodic', n: 1 }), true);
    assert.equal(q.enqueue({ kind: 'periodic', n: 2 }), false);
    q.enqueue({ kind: 'savepoint', n: 3 });
    assert.deepEqual(q.decide({ ...state, triggering: true }), { kind: 'wait' });
    assert.deepEqual(q.decide({ ...state, pending: 5 }), { kind: 'run', request: { kind: 'savepoint', n: 3 } });
    assert.deepEqual(q.decide({ ...state, pending: 1 }), { kind: 'wait' });
    assert.deepEqual(q.decide(state), { kind: 'run', request: { kind: 'periodic', n: 1 } });
    assert.equal(q.size, 0);
  });

  test('min-pause holds periodic requests only', () => {
    const q = new TriggerRequestQueue<R>(1, 500);
    q.enqueue({ kind: 'periodic', n: 1 });
    assert.deepEqual(q.decide({ ...state, lastEnd: 800 }), { kind: 'wait-until', at: 1300 });
    q.enqueue({ kind: 'manual', n: 2 });
    assert.deepEqual(q.decide({ ...state, lastEnd: 800 }), { kind: 'run', request: { kind: 'manual', n: 2 } });
    assert.deepEqual(q.decide({ ...state, lastEnd: 500 }), { kind: 'run', request: { kind: 'periodic', n: 1 } });
  });
});

describe('checkpoint configuration', () => {
  test("defaults are Flink's", () => {
    const config = resolveCheckpointConfiguration(loadConfiguration({ env: {} }));
    assert.deepEqual(config, {
      intervalMs: null,
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrentCheckpoints: 1,
      tolerableFailedCheckpoints: 0,
      mode: 'EXACTLY_ONCE',
      unaligned: false,
      numRetained: 1,
      externalizedRetention: 'NO_EXTERNALIZED_CHECKPOINTS',
      historySize: 10,
    });
  });

  test('values from the environment; a too short interval is an error naming the key', () => {
    const config = resolveCheckpointConfiguration(loadConfiguration({
      env: {
        RIVULET_EXECUTION_CHECKPOINTING_INTERVAL: '2 s',
        RIVULET_EXECUTION_CHECKPOINTING_MODE: 'AT_LEAST_ONCE',
        RIVULET_EXECUTION_CHECKPOINTING_EXTERNALIZED_CHECKPOINT_RETENTION: 'RETAIN_ON_CANCELLATION',
        RIVULET_EXECUTION_CHECKPOINTING_TOLERABLE_FAILED_CHECKPOINTS: '3',
      },
    }));
    assert.equal(config.intervalMs, 2000);
    assert.equal(config.mode, 'AT_LEAST_ONCE');
    assert.equal(config.externalizedRetention, 'RETAIN_ON_CANCELLATION');
    assert.equal(config.tolerableFailedCheckpoints, 3);
    assert.throws(
      () => resolveCheckpointConfiguration(loadConfiguration({ env: { RIVULET_EXECUTION_CHECKPOINTING_INTERVAL: '5 ms' } })),
      (err: unknown) => err instanceof ConfigurationError && err.key === 'execution.checkpointing.interval',
    );
    assert.throws(() => loadConfiguration({ env: { RIVULET_EXECUTION_CHECKPOINTING_MODE: 'exactly-once' } }), ConfigurationError);
  });

  test('unaligned checkpoints: off by default, only with EXACTLY_ONCE (an error naming the key otherwise)', () => {
    const on = resolveCheckpointConfiguration(loadConfiguration({ env: { RIVULET_EXECUTION_CHECKPOINTING_UNALIGNED_ENABLED: 'true' } }));
    assert.equal(on.unaligned, true);
    assert.throws(
      () => resolveCheckpointConfiguration(loadConfiguration({
        env: { RIVULET_EXECUTION_CHECKPOINTING_UNALIGNED_ENABLED: 'true', RIVULET_EXECUTION_CHECKPOINTING_MODE: 'AT_LEAST_ONCE' },
      })),
      (err: unknown) => err instanceof ConfigurationError && err.key === 'execution.checkpointing.unaligned.enabled' && /needs "execution.checkpointing.mode" EXACTLY_ONCE, got AT_LEAST_ONCE/.test(err.message),
    );
    assert.throws(() => loadConfiguration({ env: { RIVULET_EXECUTION_CHECKPOINTING_UNALIGNED_ENABLED: 'sometimes' } }), ConfigurationError);
    assert.ok(JOB_SCOPED_KEYS.includes('execution.checkpointing.unaligned.enabled'));
  });

  test('the job-scoped checkpoint keys', () => {
    for (const key of ['timeout', 'min-pause', 'max-concurrent-checkpoints', 'tolerable-failed-checkpoints', 'mode', 'num-retained', 'externalized-checkpoint-retention']) {
      assert.ok(JOB_SCOPED_KEYS.includes(`execution.checkpointing.${key}` as never), key);
    }
  });
});

describe('checkpoint plan', () => {
  test('checkPlan accepts a covering plan and names what is wrong with others', () => {
    const plan = twoVertexPlan(2);
    assert.equal(checkPlan(plan), undefined);
    assert.match(checkPlan({ ...plan, tasks: plan.tasks.slice(1) }) ?? '', /only 1 of 2 subtasks of "source"/);
    assert.match(checkPlan({ ...plan, tasks: [...plan.tasks, { ...plan.tasks[0]!, executionAttemptId: 'x' }] }) ?? '', /run by two tasks/);
    assert.match(checkPlan({ ...plan, maxParallelism: 32 }) ?? '', /16 groups, maxParallelism is 32/);
  });

  test('from an execution graph: every execution must be RUNNING; the keyed head carries its table', () => {
    const { table } = twoVertexPlan(2);
    const graph = new ExecutionGraph({
      vertices: [
        { id: 'source', name: 'Source', operatorIds: ['source'], parallelism: 2, keyed: false, isSource: true },
        { id: 'window', name: 'Window -> Sink', operatorIds: ['window', 'sink'], parallelism: 2, keyed: true, isSource: false },
      ],
      edges: [{ source: 'source', target: 'window', targetOperatorId: 'window', partitioning: 'hash' }],
    });
    const tables = new Map([['window', table]]);
    const notReady = checkpointPlanOf(graph, tables, 16);
    assert.deepEqual(notReady, { kind: 'not-ready', reason: 'task Source (1/2) is CREATED' });
    for (const e of graph.executions) graph.transition(e, 'RUNNING');
    const outcome = checkpointPlanOf(graph, tables, 16);
    assert.equal(outcome.kind, 'ready');
    if (outcome.kind !== 'ready') return;
    assert.equal(checkPlan(outcome.plan), undefined);
    assert.deepEqual(outcome.plan.operators.map((o) => [o.operatorId, o.keyGroupAssignment === table]), [
      ['source', false], ['window', true], ['sink', false],
    ]);
    assert.deepEqual(outcome.plan.tasks.map((t) => t.taskName), ['Source (1/2)', 'Source (2/2)', 'Window -> Sink (1/2)', 'Window -> Sink (2/2)']);
  });
});

describe('reading checkpoint metadata', () => {
  test('a CheckpointStorage (packages/common/src/storage) can be given where the coordinator wants storage', () => {
    const adapt = (storage: CheckpointStorage): CheckpointStorageAccess => storage; // compile-time check
    assert.equal(typeof adapt, 'function');
  });

  test('a folder without _metadata is not a checkpoint; corrupted metadata is an error naming the path', async () => {
    const storage = new InMemoryStorage();
    await storage.put(`${JOB_ID}/chk-7/window/0/state`, new Uint8Array(3));
    await assert.rejects(readCheckpointMetadata(storage, `${JOB_ID}/chk-7`, `s3://b/${JOB_ID}/chk-7`), (err: unknown) => {
      assert.ok(err instanceof CheckpointMetadataError);
      assert.equal(err.path, `s3://b/${JOB_ID}/chk-7/_metadata`);
      assert.match(err.message, /does not exist: s3:\/\/b\/.*\/chk-7 is not a completed checkpoint or savepoint/);
      return true;
    });
    await storage.put(`${JOB_ID}/chk-7/_metadata`, new TextEncoder().encode('{"format":"rivulet.checkpoint-metadata","vers'));
    await assert.rejects(readCheckpointMetadata(storage, `${JOB_ID}/chk-7`, `s3://b/${JOB_ID}/chk-7`), (err: unknown) => {
      assert.ok(err instanceof CheckpointMetadataError);
      assert.match(err.message, /^checkpoint metadata s3:\/\/b\/\w+\/chk-7\/_metadata: the file is not JSON \(corrupted or truncated\)/);
      return true;
    });
  });
});

describe('checkpoint metrics', () => {
  test("Flink's names, labelled by job id, read from the job's statistics", async () => {
    const registry = new Registry();
    const metrics = new CheckpointMetrics(registry);
    const h = new Harness();
    const untrack = metrics.track(JOB_ID, h.coordinator.statistics);
    const { id, done } = await h.triggerNow();
    let text = await registry.metrics();
    assert.match(text, new RegExp(`rivulet_jobmanager_job_numberOfInProgressCheckpoints\\{job_id="${JOB_ID}"\\} 1`));
    assert.match(text, new RegExp(`rivulet_jobmanager_job_lastCheckpointDuration\\{job_id="${JOB_ID}"\\} -1`));
    await h.timers.advance(25);
    await h.acknowledgeAll(id);
    await done;
    text = await registry.metrics();
    assert.match(text, new RegExp(`rivulet_jobmanager_job_numberOfCompletedCheckpoints\\{job_id="${JOB_ID}"\\} 1`));
    assert.match(text, new RegExp(`rivulet_jobmanager_job_numberOfFailedCheckpoints\\{job_id="${JOB_ID}"\\} 0`));
    assert.match(text, new RegExp(`rivulet_jobmanager_job_numberOfInProgressCheckpoints\\{job_id="${JOB_ID}"\\} 0`));
    assert.match(text, new RegExp(`rivulet_jobmanager_job_lastCheckpointDuration\\{job_id="${JOB_ID}"\\} 25`));
    assert.match(text, new RegExp(`rivulet_jobmanager_job_lastCheckpointSize\\{job_id="${JOB_ID}"\\} ${h.coordinator.statistics.lastCheckpointSize}`));
    untrack();
    assert.doesNotMatch(await registry.metrics(), /job_id=/);
  });

  test('the history is bounded; failed entries carry their reason', () => {
    const stats = new CheckpointStatsTracker(2);
    for (let id = 1; id <= 3; id++) stats.reportPending(id, 'checkpoint', id * 1000, 4);
    stats.reportFailed(3, 3500, { reason: 'CHECKPOINT_EXPIRED', message: 'timeout: …' });
    const json = stats.toJSON() as { history: Record<string, unknown>[]; counts: Record<string, number> };
    assert.deepEqual(json.history.map((c) => c['id']), [3, 2]);
    assert.equal(json.history[0]?.['failure_message'], 'timeout: …');
    assert.equal(json.history[0]?.['end_to_end_duration'], 500);
    assert.deepEqual(json.counts, { restored: 0, total: 3, in_progress: 2, completed: 0, failed: 1 });
  });

  test('statistics: the alignment and start delay of a checkpoint are the longest its acknowledging subtasks measured', () => {
    const stats = new CheckpointStatsTracker(5);
    stats.reportPending(1, 'checkpoint', 1000, 3);
    stats.reportAcknowledged(1, 1100, 1, 10, { alignmentDurationMs: 0, startDelayMs: 4 });
    stats.reportAcknowledged(1, 1200, 2, 20, { alignmentDurationMs: 730, startDelayMs: 2 });
    stats.reportAcknowledged(1, 1300, 3, 30, { alignmentDurationMs: 120, startDelayMs: 9 });
    stats.reportCompleted(1, 1400, 30, 'file:///c/chk-1');
    const [entry] = (stats.toJSON() as { history: Record<string, unknown>[] }).history;
    assert.equal(entry?.['alignment_duration'], 730);
    assert.equal(entry?.['start_delay'], 9);
    assert.equal(entry?.['persisted_data'], 0);
    assert.equal(entry?.['checkpoint_type'], 'CHECKPOINT');
  });

  test('statistics of unaligned checkpoints: persisted_data sums the subtasks\' in-flight bytes; the type says UNALIGNED_CHECKPOINT, savepoints stay SAVEPOINT', () => {
    const stats = new CheckpointStatsTracker(5, true);
    stats.reportPending(1, 'checkpoint', 1000, 2);
    stats.reportAcknowledged(1, 1100, 1, 10, { alignmentDurationMs: 0, startDelayMs: 4, persistedDataBytes: 1500 });
    stats.reportAcknowledged(1, 1200, 2, 20, { alignmentDurationMs: 0, startDelayMs: 2, persistedDataBytes: 500 });
    stats.reportCompleted(1, 1400, 30, 'file:///c/chk-1');
    stats.reportPending(2, 'savepoint', 2000, 2);
    const json = stats.toJSON() as { history: Record<string, unknown>[]; summary: Record<string, unknown> };
    const [savepoint, checkpoint] = json.history;
    assert.equal(checkpoint?.['persisted_data'], 2000);
    assert.equal(checkpoint?.['checkpoint_type'], 'UNALIGNED_CHECKPOINT');
    assert.equal(savepoint?.['checkpoint_type'], 'SAVEPOINT');
    assert.deepEqual(json.summary['persisted_data'], { min: 2000, max: 2000, avg: 2000 });
  });
});
