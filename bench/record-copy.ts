/**
 * `pnpm bench record-copy`: what it costs to give an operator a record of its
 * own (object reuse off), to choose the mechanism and where to apply it.
 *
 * 1. Candidates, ns per record, for four record shapes (the pipeline's
 *    `{key, value}`, word count's `{word, count}`, a nested order, one with
 *    Map/Set/Date/typed array): the hand-written copier as one shared
 *    function (`copyRecord`, which in a TaskManager sees every job's record
 *    shapes: it is first fed a dozen shapes, as it would be) and as a copier
 *    of its own per copying place (`createRecordCopySite`, what operators
 *    use), `structuredClone`, a msgpackr round trip per record and per batch
 *    of 1024 (the network's codec, recordBatchCodec), against a loop that
 *    hands records on untouched. All in one process, interleaved, best of
 *    --runs.
 * 2. Where to copy: the per-record work of bench/pipeline's job in one loop
 *    (map to `{key, value}`, filter, keyed reduce on the heap state backend,
 *    a sink), with no copy, with the copy the runtime makes (what the keyed
 *    reduce emits, since its state keeps it), with a copy on entering the
 *    network partition too, and with a copy on every chained edge (Flink's
 *    CopyingChainingOutput). Ratios are against the no-copy loop.
 * 3. The runtime's own chains: bench/pipeline's two tasks built by
 *    buildOperatorChain (sequence -> map -> filter -> hash partition, and
 *    keyed reduce -> sink), the partition handing batches of 1024 records to
 *    the second chain in the same thread, with object reuse off (the copy of
 *    what the reduce emits) and on (no copy), interleaved: the copies' share
 *    of the chains' own per-record work, without threads and network.
 *
 * Flags: --records N (default 2,000,000 per measurement), --runs N (default 5).
 * Prints one JSON object as its last line.
 */
import { parseArgs } from 'node:util';
import { buildOperatorChain, copyRecord, createRecordCopySite, HeapKeyedStateBackend, recordBatchCodec, type ResultPartitionWriter } from '@rivulet/taskmanager';
import { printReport } from './lib/report.js';

const { values: flags } = parseArgs({
  options: { records: { type: 'string', default: '2000000' }, runs: { type: 'string', default: '5' } },
});
const RECORDS = Number(flags.records);
const RUNS = Number(flags.runs);
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const context = { owner: 'bench (1/1)' };

// ------------------------------------------------------------------ shapes

const POOL = 1024;
const shapes: Record<string, unknown[]> = {
  keyValue: Array.from({ length: POOL }, (_, i) => ({ key: i % 1000, value: i })),
  wordCount: Array.from({ length: POOL }, (_, i) => ({ word: `word-${i % 100}`, count: 1 })),
  nestedOrder: Array.from({ length: POOL }, (_, i) => ({
    id: i,
    customer: { name: `customer ${i}`, tags: ['gold', 'eu'] },
    amount: i * 1.5,
    at: 1_700_000_000_000 + i,
    items: [{ sku: 'a-1', quantity: 1 }, { sku: 'b-2', quantity: 2 }],
  })),
  richTypes: Array.from({ length: POOL }, (_, i) => ({
    id: i,
    when: new Date(1_700_000_000_000 + i),
    attributes: new Map([['colour', 'red'], ['size', String(i % 5)]]),
    flags: new Set(['a', 'b']),
    bytes: new Uint8Array([i & 255, 1, 2, 3]),
  })),
};

let sink: unknown;

/** ns per record of `copy` applied to `records`, cycling through the pool. */
function timeCopy(records: readonly unknown[], copy: (record: unknown) => unknown, n: number): number {
  const started = process.hrtime.bigint();
  let last: unknown;
  for (let i = 0; i < n; i++) last = copy(records[i & (POOL - 1)]);
  sink = last;
  return Number(process.hrtime.bigint() - started) / n;
}

function timeBatches(records: unknown[], n: number): number {
  const started = process.hrtime.bigint();
  let last: unknown;
  for (let done = 0; done < n; done += POOL) last = recordBatchCodec.decode(recordBatchCodec.encode(records));
  sink = last;
  return Number(process.hrtime.bigint() - started) / n;
}

interface Candidate {
  readonly name: string;
  readonly time: (records: unknown[], n: number) => number;
  /** Slower candidates run on fewer records. */
  readonly share: number;
}

/** The shared copier sees many shapes in a TaskManager: feed it a dozen before measuring. */
function makeSharedCopierMegamorphic(): void {
  for (let s = 0; s < 12; s++) {
    const shaped = Array.from({ length: 64 }, (_, i) => {
      const record: Record<string, unknown> = { [`field${s}`]: i, n: i };
      if (s % 2 === 1) record['text'] = 'x';
      return record;
    });
    for (let r = 0; r < 200; r++) for (const record of shaped) copyRecord(record, context);
  }
}

/** One copy site per shape, as each operator has its own. */
const sites = new Map<unknown[], { copy: (record: unknown) => unknown }>();
const siteOf = (records: unknown[]): { copy: (record: unknown) => unknown } => {
  let site = sites.get(records);
  if (!site) sites.set(records, (site = createRecordCopySite(context)));
  return site;
};

const candidates: readonly Candidate[] = [
  { name: 'handOn', share: 1, time: (records, n) => timeCopy(records, (r) => r, n) },
  { name: 'copierPerSite', share: 1, time: (records, n) => { const site = siteOf(records); return timeCopy(records, (r) => site.copy(r), n); } },
  { name: 'copyRecordShared', share: 1, time: (records, n) => timeCopy(records, (r) => copyRecord(r, context), n) },
  { name: 'structuredClone', share: 0.1, time: (records, n) => timeCopy(records, (r) => structuredClone(r), n) },
  { name: 'msgpackrPerRecord', share: 0.1, time: (records, n) => timeCopy(records, (r) => recordBatchCodec.decode(recordBatchCodec.encode([r]))[0], n) },
  { name: 'msgpackrBatch1024', share: 0.5, time: (records, n) => timeBatches(records, n) },
];

function compareCandidates(): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const [shape, records] of Object.entries(shapes)) {
    const best = new Map<string, number>();
    for (const c of candidates) c.time(records, Math.max(POOL, Math.round(RECORDS * c.share * 0.1))); // warm-up
    for (let run = 0; run < RUNS; run++) {
      for (const c of candidates) {
        const ns = c.time(records, Math.max(POOL, Math.round(RECORDS * c.share)));
        best.set(c.name, Math.min(best.get(c.name) ?? Infinity, ns));
      }
    }
    result[shape] = Object.fromEntries([...best].map(([name, ns]) => [name, round(ns)]));
  }
  return result;
}

// ----------------------------------------------------- where the copies go

type Placement = 'none' | 'runtime' | 'runtimeAndNetwork' | 'everyEdge';
const placements: readonly Placement[] = ['none', 'runtime', 'runtimeAndNetwork', 'everyEdge'];
const KEYS = 1000;

interface KeyValue {
  key: number;
  value: number;
}

/** bench/pipeline's job as one loop: sequence -> map -> filter -> (partition) -> keyed reduce -> sink. */
function runPipeline(placement: Placement, n: number): number {
  const backend = new HeapKeyedStateBackend({ operatorId: 'reduce', maxParallelism: 128, keyGroups: Array.from({ length: 128 }, (_, g) => g) });
  const state = backend.getValueState<KeyValue>('reduce');
  const everyEdge = placement === 'everyEdge';
  const atNetwork = placement === 'runtimeAndNetwork' || everyEdge;
  const atReduce = placement !== 'none';
  let emitted = 0;
  const [afterMap, intoPartition, afterReduce] = [createRecordCopySite(context), createRecordCopySite(context), createRecordCopySite(context)];
  const started = process.hrtime.bigint();
  for (let i = 1; i <= n; i++) {
    let record: KeyValue = { key: i % KEYS, value: i }; // map
    if (everyEdge) record = afterMap.copy(record) as KeyValue;
    if (record.value % 3 === 0) continue; // filter
    if (atNetwork) record = intoPartition.copy(record) as KeyValue; // into the partition
    backend.setCurrentKey(record.key); // keyed reduce
    const accumulated = state.value();
    const reduced = accumulated === undefined ? record : { key: accumulated.key, value: accumulated.value + 1 };
    state.update(reduced);
    const out = atReduce ? (afterReduce.copy(reduced) as KeyValue) : reduced; // the reduce keeps `reduced` in state
    if (out.value >= 0) emitted += 1; // sink
  }
  sink = emitted;
  return Number(process.hrtime.bigint() - started) / n;
}

function comparePlacements(): { nsPerRecord: Record<Placement, number>; ratios: Record<string, number> } {
  const best = new Map<Placement, number>();
  for (const p of placements) runPipeline(p, Math.round(RECORDS / 10)); // warm-up
  for (let run = 0; run < RUNS; run++) {
    for (const p of placements) best.set(p, Math.min(best.get(p) ?? Infinity, runPipeline(p, RECORDS)));
  }
  const ns = Object.fromEntries(placements.map((p) => [p, round(best.get(p)!)])) as Record<Placement, number>;
  const none = best.get('none')!;
  return {
    nsPerRecord: ns,
    ratios: {
      throughputWithRuntimeCopies: round(none / best.get('runtime')!, 3),
      throughputWithRuntimeAndNetworkCopies: round(none / best.get('runtimeAndNetwork')!, 3),
      throughputWithCopiesOnEveryEdge: round(none / best.get('everyEdge')!, 3),
    },
  };
}

// ------------------------------------------------------ the runtime's chains

type CompiledJob = Parameters<typeof buildOperatorChain>[1];
type Descriptor = Parameters<typeof buildOperatorChain>[0];
const CHAIN_KEYS = 1000;
const MAX_PARALLELISM = 128;

/** bench/jobs/pipeline-job.ts (number keys), as a TaskManager compiles it. */
function pipelineJob(): CompiledJob {
  const operators = [
    { id: 'source', name: 'Source: Sequence', kind: 'source', variant: 'sequence', keyed: false, params: {} },
    { id: 'map', name: 'Map', kind: 'map', variant: 'user', keyed: false, params: {} },
    { id: 'filter', name: 'Filter', kind: 'filter', variant: 'user', keyed: false, params: {} },
    { id: 'reduce', name: 'Keyed Reduce', kind: 'reduce', variant: 'user', keyed: true, params: {} },
    { id: 'sink', name: 'Sink', kind: 'sink', variant: 'custom', keyed: false, params: {} },
  ] as const;
  const functions = new Map<string, unknown>([
    ['source', { kind: 'source' }],
    ['map', { kind: 'map', fn: (i: number) => ({ key: i % CHAIN_KEYS, value: i }) }],
    ['filter', { kind: 'filter', fn: (r: KeyValue) => r.value % 3 !== 0 }],
    ['reduce', { kind: 'reduce', keySelector: (r: KeyValue) => r.key, fn: (a: KeyValue, b: KeyValue) => ({ key: a.key, value: a.value + b.value }) }],
    ['sink', { kind: 'sink', fn: { invoke: () => undefined } }],
  ]);
  const graph = { version: 1, name: 'bench', defaultParallelism: 1, maxParallelism: MAX_PARALLELISM, operators: operators.map((op) => ({ ...op, hasUserUid: false, parallelism: 1 })), edges: [], args: [] };
  return { graph, functions } as unknown as CompiledJob;
}

function descriptorOf(job: CompiledJob, operatorIds: string[], objectReuse: boolean, output?: string): Descriptor {
  const operators = operatorIds.map((id) => job.graph.operators.find((op) => op.id === id)!);
  return {
    jobId: 'bench', jobName: 'bench', attempt: 0, executionAttemptId: 'BENCHATTEMPT', vertexId: operatorIds[0]!, vertexName: operators.map((op) => op.name).join(' -> '),
    subtaskIndex: 0, parallelism: 1, defaultParallelism: 1, maxParallelism: MAX_PARALLELISM, args: [], operatorIds, operators,
    inputs: [],
    outputs: output === undefined ? [] : [{
      targetVertexId: output, targetOperatorId: output, partitioning: 'hash', partitionId: `bench/0/a>${output}/0`, numberOfSubpartitions: 1,
      keyGroupOwners: new Array<number>(MAX_PARALLELISM).fill(0), sameSlotSubpartitions: [0],
    }],
    keyGroups: operators[0]!.keyed ? Array.from({ length: MAX_PARALLELISM }, (_, g) => g) : [],
    bundleSha256: 'bench', checkpointingMode: 'EXACTLY_ONCE',
    ...(objectReuse ? { objectReuse: true } : {}),
  } as Descriptor;
}

/** A partition whose one consumer is a chain in the same thread: batches of 1024 records, handed over as they fill. */
function inThreadPartition(consumer: { collect(record: unknown): void }): ResultPartitionWriter {
  let batch: unknown[] = [];
  const deliver = (): void => {
    const records = batch;
    batch = [];
    for (let i = 0; i < records.length; i++) consumer.collect(records[i]);
  };
  return {
    id: 'bench/0/a>reduce/0', numberOfSubpartitions: 1,
    emit(_subpartition: number, record: unknown) {
      batch.push(record);
      if (batch.length === 1024) deliver();
    },
    broadcastEmit() {}, emitSerialized() {}, flushAll: deliver, broadcastEvent() {},
    isAvailable: () => true, whenAvailable: () => Promise.resolve(), whenFullyConsumed: () => Promise.resolve(), release() {},
  } as ResultPartitionWriter;
}

/** ns per source record through both chains. */
function runChains(objectReuse: boolean, n: number): number {
  const job = pipelineJob();
  const consumer = buildOperatorChain(descriptorOf(job, ['reduce', 'sink'], objectReuse), job, []);
  const writer = inThreadPartition(consumer.head);
  const producer = buildOperatorChain(descriptorOf({ ...job, graph: { ...job.graph, operators: job.graph.operators.map((op) => (op.id === 'source' ? { ...op, params: { from: 1, to: n } } : op)) } } as CompiledJob, ['source', 'map', 'filter'], objectReuse, 'reduce'), job, [writer]);
  const started = process.hrtime.bigint();
  while (producer.source!.emit(producer.head, 1024) === true);
  writer.flushAll();
  return Number(process.hrtime.bigint() - started) / n;
}

function compareChains(): { nsPerRecord: { copies: number; objectReuse: number }; throughputWithCopies: number } {
  let copies = Infinity;
  let reuse = Infinity;
  runChains(false, Math.round(RECORDS / 10));
  runChains(true, Math.round(RECORDS / 10));
  for (let run = 0; run < RUNS; run++) {
    copies = Math.min(copies, runChains(false, RECORDS));
    reuse = Math.min(reuse, runChains(true, RECORDS));
  }
  return { nsPerRecord: { copies: round(copies), objectReuse: round(reuse) }, throughputWithCopies: round(reuse / copies, 3) };
}

makeSharedCopierMegamorphic();
const copyCandidates = compareCandidates();
const chains = compareChains();
const pipeline = comparePlacements();
const kv = copyCandidates['keyValue']!;
const nested = copyCandidates['nestedOrder']!;
const copyNs = (shape: Record<string, number>): number => shape['copierPerSite']! - shape['handOn']!;
printReport({
  bench: 'record-copy',
  figures: {
    records: RECORDS,
    runs: RUNS,
    nsPerRecord: copyCandidates,
    pipelineLoop: pipeline.nsPerRecord,
    runtimeChains: chains.nsPerRecord,
    sink: typeof sink,
  },
  ratios: {
    structuredCloneOverCopier_keyValue: round(kv['structuredClone']! / kv['copierPerSite']!, 2),
    msgpackrPerRecordOverCopier_keyValue: round(kv['msgpackrPerRecord']! / kv['copierPerSite']!, 2),
    msgpackrBatchOverCopier_keyValue: round(kv['msgpackrBatch1024']! / kv['copierPerSite']!, 2),
    sharedCopierOverCopier_keyValue: round(kv['copyRecordShared']! / kv['copierPerSite']!, 2),
    structuredCloneOverCopier_nestedOrder: round(nested['structuredClone']! / nested['copierPerSite']!, 2),
    msgpackrBatchOverCopier_nestedOrder: round(nested['msgpackrBatch1024']! / nested['copierPerSite']!, 2),
    copyNsPerRecord_keyValue: round(copyNs(kv), 1),
    ...pipeline.ratios,
    runtimeChainsThroughputWithCopies: chains.throughputWithCopies,
  },
});
