import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, type CompiledJob, type JobDefinition, type KeyedContext, type Collector, type RuntimeContext, type Source, type SourceSplit, type ValueState } from '@rivulet/api';
import { CHECKPOINT_OF_READER_HELD_SPLITS, createBuiltinSource, type OutputDescriptor, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { ChannelEvent, ResultPartitionWriter } from '../../../src/network/network-api.js';
import { UnserializableRecordError } from '../../../src/records/index.js';
import { buildOperatorChain, type OperatorChain } from '../../../src/slot/task/operator-chain.js';
import { LocalSplitEnumerator } from './sources/local-split-enumerator.js';

/**
 * The chain's wiring of record copies (object reuse off) against the
 * copy-per-operator model: every output below is what the same job gives
 * when each operator works on its own copy of every record. Tasks are
 * connected the way two tasks of one slot are (the consumer gets the
 * producer's objects), the case where sharing would show.
 */

const MAX_PARALLELISM = 8;

/** Records a partition was given, per subpartition, in order (a consumer in the same slot receives these very objects). */
class CapturingWriter implements ResultPartitionWriter {
  readonly records: unknown[][];
  constructor(readonly id: string, readonly numberOfSubpartitions = 1) {
    this.records = Array.from({ length: numberOfSubpartitions }, () => []);
  }
  emit(subpartition: number, record: unknown): void {
    this.records[subpartition]!.push(record);
  }
  broadcastEmit(record: unknown): void {
    for (const records of this.records) records.push(record);
  }
  emitSerialized(): void {}
  flushAll(): void {}
  broadcastEvent(_event: ChannelEvent): void {}
  isAvailable(): boolean {
    return true;
  }
  whenAvailable(): Promise<void> {
    return Promise.resolve();
  }
  whenFullyConsumed(): Promise<void> {
    return Promise.resolve();
  }
  release(): void {}
}

interface Vertex {
  readonly operatorIds: readonly string[];
  readonly outputs?: readonly { readonly targetOperatorId: string; readonly partitioning: OutputDescriptor['partitioning'] }[];
}

function descriptorOf(job: CompiledJob, vertex: Vertex, objectReuse: boolean): TaskDeploymentDescriptor {
  const operators = vertex.operatorIds.map((id) => {
    const node = job.graph.operators.find((op) => op.id === id);
    assert.ok(node, `no operator ${id} in ${job.graph.operators.map((op) => op.id).join(', ')}`);
    return { id: node.id, name: node.name, kind: node.kind, variant: node.variant, keyed: node.keyed, params: node.params };
  });
  return {
    jobId: 'job', jobName: job.graph.name, attempt: 0, executionAttemptId: 'ATTEMPT0000000', vertexId: vertex.operatorIds[0]!,
    vertexName: operators.map((op) => op.name).join(' -> '), subtaskIndex: 0, parallelism: 1,
    defaultParallelism: 1, maxParallelism: MAX_PARALLELISM, args: [], operatorIds: vertex.operatorIds, operators, inputs: [],
    outputs: (vertex.outputs ?? []).map((output) => ({
      targetVertexId: output.targetOperatorId, targetOperatorId: output.targetOperatorId, partitioning: output.partitioning,
      partitionId: `job/0/${vertex.operatorIds[0]}>${output.targetOperatorId}/0`, numberOfSubpartitions: 1,
      ...(output.partitioning === 'hash' ? { keyGroupOwners: new Array<number>(MAX_PARALLELISM).fill(0) } : {}),
      sameSlotSubpartitions: [0],
    })),
    keyGroups: operators[0]!.keyed ? Array.from({ length: MAX_PARALLELISM }, (_, g) => g) : [],
    bundleSha256: 'test', checkpointingMode: 'EXACTLY_ONCE',
    ...(objectReuse ? { objectReuse: true } : {}),
  };
}

async function chainOf(job: CompiledJob, vertex: Vertex, objectReuse: boolean, restoredSplits?: unknown[]): Promise<{ chain: OperatorChain; writers: CapturingWriter[] }> {
  const descriptor = descriptorOf(job, vertex, objectReuse);
  const writers = descriptor.outputs.map((o) => new CapturingWriter(o.partitionId));
  const enumerator = enumeratorOf(job, descriptor, restoredSplits);
  const chain = buildOperatorChain(descriptor, job, writers, restoredSplits, undefined, enumerator);
  for (const member of chain.members) await member.open?.();
  if (chain.source && enumerator) {
    // The source's reader registers with its enumerator and gets its splits before the test emits.
    enumerator.connect(0, (event) => chain.source!.handleOperatorEvent!(event));
    await chain.source.open?.();
    chain.source.applyEvents?.(Infinity);
  }
  return { chain, writers };
}

/** The split enumerator of the built-in source at the chain's head, in this thread; restored splits are in the old layout (the enumerator holds none). */
function enumeratorOf(job: CompiledJob, descriptor: TaskDeploymentDescriptor, restoredSplits: unknown[] | undefined): LocalSplitEnumerator | undefined {
  const head = descriptor.operators[0]!;
  if (head.kind !== 'source') return undefined;
  const functions = job.functions.get(head.id);
  const source = createBuiltinSource({ operatorId: head.id, name: head.name, variant: head.variant, params: head.params, elements: functions?.kind === 'source' ? functions.elements : undefined });
  return new LocalSplitEnumerator(source as Source<unknown, SourceSplit, unknown>, descriptor.parallelism, restoredSplits === undefined ? undefined : CHECKPOINT_OF_READER_HELD_SPLITS);
}

function resultOf(chain: OperatorChain, name: string): unknown[] {
  for (const member of chain.members) {
    const result = member.result?.();
    if (result?.[name]) return result[name]!;
  }
  assert.fail(`no collect("${name}") in the chain`);
}

function compile(definition: JobDefinition): CompiledJob {
  return definition.compile({ defaultParallelism: 1, maxParallelism: MAX_PARALLELISM });
}

const idOf = (job: CompiledJob, kind: string, variant?: string, nth = 0): string =>
  job.graph.operators.filter((op) => op.kind === kind && (variant === undefined || op.variant === variant))[nth]!.id;

/** Sums per key, then a downstream map doubles what it receives (the example of issue 12). */
const sumThenMutatingMap = defineJob((env) => {
  env
    .fromSequence(1, 1000)
    .map((i) => ({ k: i % 10, count: 1 }))
    .keyBy((r) => r.k)
    .sum('count')
    .map((r) => {
      r.count *= 2;
      return r;
    })
    .collect('out');
});

async function runSumJob(objectReuse: boolean): Promise<Map<number, number[]>> {
  const job = compile(sumThenMutatingMap);
  const reduce = idOf(job, 'reduce');
  const producer = await chainOf(job, { operatorIds: [idOf(job, 'source'), idOf(job, 'map')], outputs: [{ targetOperatorId: reduce, partitioning: 'hash' }] }, objectReuse);
  producer.chain.source!.emit(producer.chain.head, 10_000);
  const consumer = await chainOf(job, { operatorIds: [reduce, idOf(job, 'map', 'user', 1), idOf(job, 'sink')] }, objectReuse);
  for (const record of producer.writers[0]!.records[0]!) consumer.chain.head.collect(record);
  const perKey = new Map<number, number[]>();
  for (const r of resultOf(consumer.chain, 'out') as { k: number; count: number }[]) perKey.set(r.k, [...(perKey.get(r.k) ?? []), r.count]);
  return perKey;
}

describe('operator chains copy records where the runtime keeps or shares them (object reuse off)', () => {
  test('a downstream map mutating what sum emits changes neither the running sum nor earlier results', async () => {
    const perKey = await runSumJob(false);
    assert.equal(perKey.size, 10);
    for (const [, counts] of perKey) assert.deepEqual(counts, Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
  });

  test('fan-out to two sinks where one mutates: the other receives the records unchanged', async () => {
    const job = compile(defineJob((env) => {
      const records = env.fromSequence(1, 5).map((i) => ({ i, tag: 'original' }));
      records.addSink((r) => {
        r.tag = 'mutated by the first sink';
      });
      records.collect('second');
    }));
    const [custom, collect] = [idOf(job, 'sink', 'custom'), idOf(job, 'sink', 'collect')];
    const producer = await chainOf(job, {
      operatorIds: [idOf(job, 'source'), idOf(job, 'map')],
      outputs: [{ targetOperatorId: custom, partitioning: 'forward' }, { targetOperatorId: collect, partitioning: 'forward' }],
    }, false);
    producer.chain.source!.emit(producer.chain.head, 100);
    const first = await chainOf(job, { operatorIds: [custom] }, false);
    for (const record of producer.writers[0]!.records[0]!) first.chain.head.collect(record);
    const second = await chainOf(job, { operatorIds: [collect] }, false);
    for (const record of producer.writers[1]!.records[0]!) second.chain.head.collect(record);
    assert.deepEqual(resultOf(second.chain, 'second'), [1, 2, 3, 4, 5].map((i) => ({ i, tag: 'original' })));
  });

  test('a process function emitting its state object: a downstream mutation does not reach the state', async () => {
    const perKey = await runProcessJob(false);
    for (const [, counts] of perKey) assert.deepEqual(counts, Array.from({ length: 10 }, (_, i) => 10 * (i + 1)));
  });

  test('fromElements after a restore emits its elements as they were, whatever downstream did to them', async () => {
    const first = await runElements(false, undefined);
    assert.deepEqual(first, [10, 20, 30, 40]);
    const afterRestore = await runElements(false, [{ index: 0 }]);
    assert.deepEqual(afterRestore, [10, 20, 30, 40]);
    assert.deepEqual(ELEMENTS, [{ v: 1 }, { v: 2 }, { v: 3 }, { v: 4 }]);
  });

  test('a chained collect sink keeps what was emitted, not what the emitter made of it later', async () => {
    const job = compile(defineJob((env) => {
      const reused = { n: 0 };
      env
        .fromSequence(1, 3)
        .flatMap((i: number, out: Collector<{ n: number }>) => {
          reused.n = i; // one output object, modified after each emit (allowed with object reuse off)
          out.collect(reused);
        })
        .collect('out');
    }));
    const { chain } = await chainOf(job, { operatorIds: [idOf(job, 'source'), idOf(job, 'flatMap'), idOf(job, 'sink')] }, false);
    chain.source!.emit(chain.head, 10);
    assert.deepEqual(resultOf(chain, 'out'), [{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test('records from the input gate are the task\'s own: a collect sink at the head keeps them without a copy', async () => {
    const job = compile(defineJob((env) => {
      env.fromSequence(1, 2).rebalance().collect('out');
    }));
    const { chain } = await chainOf(job, { operatorIds: [idOf(job, 'sink')] }, false);
    const record = { received: true };
    chain.head.collect(record);
    assert.equal(resultOf(chain, 'out')[0], record);
  });

  test('a record that holds a function fails at the first copy, naming the operator that emitted it', async () => {
    const job = compile(defineJob((env) => {
      env.fromSequence(1, 3).map((i) => ({ i, callback: () => i })).collect('out');
    }));
    const { chain } = await chainOf(job, { operatorIds: [idOf(job, 'source'), idOf(job, 'map'), idOf(job, 'sink')] }, false);
    assert.throws(
      () => chain.source!.emit(chain.head, 10),
      (error: unknown) =>
        error instanceof UnserializableRecordError &&
        error.message === 'cannot serialize a record of Map (1/1): record.callback is a function callback (functions cannot be sent)',
    );
  });
});

describe('with object reuse, operators hand records on without copies (as documented)', () => {
  test('sum: the downstream map receives the running sum itself', async () => {
    const perKey = await runSumJob(true);
    for (const [, counts] of perKey) assert.deepEqual(counts.slice(0, 5), [2, 6, 14, 30, 62]);
  });

  test('process: the downstream map and the collect sink receive the state object itself', async () => {
    const perKey = await runProcessJob(true);
    // One object per key, emitted ten times, multiplied by 10 after each of its ten increments.
    for (const [, counts] of perKey) assert.deepEqual(counts, new Array(10).fill(11_111_111_110));
  });

  test('fromElements, a fan-out and a chained collect sink hand on the same objects', async () => {
    const job = compile(defineJob((env) => {
      const records = env.fromElements(...ELEMENTS);
      records.collect('a');
      records.collect('b');
    }));
    const [a, b] = [idOf(job, 'sink', 'collect', 0), idOf(job, 'sink', 'collect', 1)];
    const producer = await chainOf(job, {
      operatorIds: [idOf(job, 'source')],
      outputs: [{ targetOperatorId: a, partitioning: 'forward' }, { targetOperatorId: b, partitioning: 'forward' }],
    }, true);
    producer.chain.source!.emit(producer.chain.head, 10);
    assert.ok(producer.writers.every((w) => w.records[0]!.every((record, i) => record === ELEMENTS[i])));
    const chained = compile(defineJob((env) => {
      env.fromElements(...ELEMENTS).collect('out');
    }));
    const { chain } = await chainOf(chained, { operatorIds: [idOf(chained, 'source'), idOf(chained, 'sink')] }, true);
    chain.source!.emit(chain.head, 10);
    assert.ok(resultOf(chain, 'out').every((record, i) => record === ELEMENTS[i]));
  });
});

/** Counts per key in its state object and emits that very object; downstream multiplies by 10. */
class EmitsItsState {
  private state!: ValueState<{ key: number; n: number }>;
  open(context: RuntimeContext): void {
    this.state = context.getValueState('count');
  }
  processElement(i: number, _context: KeyedContext<number>, out: Collector<{ key: number; n: number }>): void {
    const current = this.state.value() ?? { key: i % 3, n: 0 };
    current.n += 1;
    this.state.update(current);
    out.collect(current);
  }
}

async function runProcessJob(objectReuse: boolean): Promise<Map<number, number[]>> {
  const job = compile(defineJob((env) => {
    env
      .fromSequence(1, 30)
      .keyBy((i) => i % 3)
      .process(new EmitsItsState())
      .map((r) => {
        r.n *= 10;
        return r;
      })
      .collect('out');
  }));
  const process = idOf(job, 'process');
  const producer = await chainOf(job, { operatorIds: [idOf(job, 'source')], outputs: [{ targetOperatorId: process, partitioning: 'hash' }] }, objectReuse);
  producer.chain.source!.emit(producer.chain.head, 100);
  const consumer = await chainOf(job, { operatorIds: [process, idOf(job, 'map'), idOf(job, 'sink')] }, objectReuse);
  for (const record of producer.writers[0]!.records[0]!) consumer.chain.head.collect(record);
  const perKey = new Map<number, number[]>();
  for (const r of resultOf(consumer.chain, 'out') as { key: number; n: number }[]) perKey.set(r.key, [...(perKey.get(r.key) ?? []), r.n]);
  return perKey;
}

/** Module-level elements: every compile of the job in this thread emits these very objects. */
const ELEMENTS = [{ v: 1 }, { v: 2 }, { v: 3 }, { v: 4 }];
const elementsJob = defineJob((env) => {
  env
    .fromElements(...ELEMENTS)
    .map((r) => {
      r.v *= 10;
      return r;
    })
    .collect('out');
});

async function runElements(objectReuse: boolean, restored: unknown[] | undefined): Promise<number[]> {
  const job = compile(elementsJob);
  const { chain } = await chainOf(job, { operatorIds: [idOf(job, 'source'), idOf(job, 'map'), idOf(job, 'sink')] }, objectReuse, restored);
  chain.source!.emit(chain.head, 100);
  return (resultOf(chain, 'out') as { v: number }[]).map((r) => r.v);
}
