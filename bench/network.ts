/**
 * `pnpm bench network`: records/s through the TaskManager network stack
 * between two NetworkEnvironments over loopback TCP (one producer subtask →
 * one consumer subtask, then 4 × 4 channels multiplexed on one connection,
 * then a local channel), against the raw ceiling of the same records in the
 * same batches (msgpackr + a plain socket, bench/lib/raw-ceiling.ts) measured
 * in the same run. Also: the serializers considered, and the cost of
 * estimating batch sizes per record versus from measured batches.
 *
 * Flags: --records N (default 5,000,000), --runs N (best of, default 3),
 * --max-records-per-buffer N, --buffer-size BYTES.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { silentLogger } from '@rivulet/common';
import * as network from '@rivulet/taskmanager';
import { measureRawCeiling, msgpackr } from './lib/raw-ceiling.js';
import { printReport } from './lib/report.js';


const { values: flags } = parseArgs({
  options: {
    records: { type: 'string', default: '5000000' },
    runs: { type: 'string', default: '3' },
    'max-records-per-buffer': { type: 'string' },
    'buffer-size': { type: 'string' },
  },
});
const RECORDS = Number(flags.records);
const RUNS = Number(flags.runs);
const envOptions = {
  ...(flags['max-records-per-buffer'] ? { maxRecordsPerBuffer: Number(flags['max-records-per-buffer']) } : {}),
  ...(flags['buffer-size'] ? { bufferSizeBytes: Number(flags['buffer-size']) } : {}),
};

interface WordCount {
  word: string;
  count: number;
}

function makeRecords(n: number): WordCount[] {
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const vocabulary = Array.from({ length: 10_000 }, () =>
    Array.from({ length: 3 + Math.floor(random() * 8) }, () => letters[Math.floor(random() ** 2 * 26)]).join(''),
  );
  return Array.from({ length: n }, (_, i) => ({ word: vocabulary[Math.floor(random() ** 3 * vocabulary.length)]!, count: i % 1000 }));
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const millions = (x: number): number => round(x / 1e6, 3);
const best = <T extends { recordsPerSecond: number }>(runs: T[]): T => runs.reduce((a, b) => (b.recordsPerSecond > a.recordsPerSecond ? b : a));

// ---------------------------------------------------------------- serializers

function compareSerializers(records: readonly WordCount[]): Record<string, unknown> {
  const n = Math.min(records.length, 1_000_000);
  const batches: WordCount[][] = [];
  for (let i = 0; i < n; i += 1000) batches.push(records.slice(i, i + 1000));
  const codec = (options: object): [(b: unknown[]) => Buffer, (x: Buffer) => unknown] => {
    const packr = new msgpackr.Packr(options);
    const unpackr = new msgpackr.Unpackr(options);
    return [(b) => packr.pack(b), (x) => unpackr.unpack(x)];
  };
  const candidates: Record<string, [(b: unknown[]) => Buffer, (x: Buffer) => unknown]> = {
    json: [(b) => Buffer.from(JSON.stringify(b)), (x) => JSON.parse(x.toString('utf8'))],
    'v8.serialize': [(b) => v8.serialize(b), (x) => v8.deserialize(x)],
    'msgpackr plain': codec({ useRecords: false }),
    'msgpackr useRecords': codec({ useRecords: true }),
    'msgpackr useRecords+moreTypes (chosen)': codec({ useRecords: true, moreTypes: true }),
    'rivulet recordBatchCodec': [(b) => network.recordBatchCodec.encode(b), (x) => network.recordBatchCodec.decode(x)],
  };
  const results: Record<string, { roundTripMps: number; serializeMps: number; deserializeMps: number; bytesPerRecord: number }> = {};
  for (let run = 0; run < 3; run++) {
    for (const [name, [serialize, deserialize]] of Object.entries(candidates)) {
      const t0 = performance.now();
      const buffers = batches.map(serialize);
      const t1 = performance.now();
      for (const buffer of buffers) deserialize(buffer);
      const t2 = performance.now();
      const bytes = buffers.reduce((sum, b) => sum + b.length, 0);
      const previous = results[name];
      const current = { roundTripMps: millions((n / (t2 - t0)) * 1000), serializeMps: millions((n / (t1 - t0)) * 1000), deserializeMps: millions((n / (t2 - t1)) * 1000), bytesPerRecord: round(bytes / n) };
      results[name] = previous && previous.roundTripMps >= current.roundTripMps ? previous : current;
    }
  }
  return { recordsPerRun: n, batchSize: 1000, bestOf: 3, results };
}

// ---------------------------------------------------------------- batch sizing

/** What a per-record size estimate would cost: a shallow walk adding string lengths. */
function perRecordEstimateCost(records: readonly WordCount[]): Record<string, number> {
  const estimate = (record: unknown): number => {
    let size = 1;
    for (const value of Object.values(record as object)) size += typeof value === 'string' ? value.length + 1 : 9;
    return size;
  };
  let sink = 0;
  const n = Math.min(records.length, 2_000_000);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += estimate(records[i]);
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (sink < 0) throw new Error('unreachable: keeps the estimate from being optimized away');
  return { shallowEstimateNsPerRecord: round(ns, 1) };
}

// ---------------------------------------------------------------- network runs

interface Run {
  recordsPerSecond: number;
  seconds: number;
  buffers: number;
  bytes: number;
}

async function remoteRun(records: readonly WordCount[], id: number, fanOut: number): Promise<Run> {
  const producer = network.createNetworkEnvironment({ log: silentLogger(), resourceId: 'tm-producer', ...envOptions });
  const consumer = network.createNetworkEnvironment({ log: silentLogger(), resourceId: 'tm-consumer', ...envOptions });
  const port = await producer.start('127.0.0.1', 0);
  await consumer.start('127.0.0.1', 0);
  const location = { host: '127.0.0.1', port };
  const writers = Array.from({ length: fanOut }, (_, p) => producer.createResultPartition(network.resultPartitionId(`bench${id}`, 0, 'src', p), fanOut, { owner: `Source ${p}` }));
  const gates = Array.from({ length: fanOut }, (_, c) =>
    consumer.createInputGate(Array.from({ length: fanOut }, (_, p) => ({ partitionId: network.resultPartitionId(`bench${id}`, 0, 'src', p), subpartitionIndex: c, location })), { owner: `Sink ${c}` }),
  );
  const started = process.hrtime.bigint();
  const produce = writers.map(async (writer, p) => {
    // Producer p emits every fanOut-th record, round-robin over its subpartitions.
    for (let i = p, k = 0; i < records.length; i += fanOut, k++) {
      if (!writer.isAvailable()) await writer.whenAvailable();
      writer.emit(k % fanOut, records[i]);
    }
    writer.broadcastEvent({ kind: 'end-of-partition' });
  });
  let received = 0;
  const consume = gates.map(async (gate) => {
    while (!gate.finished) {
      const entry = gate.poll();
      if (entry === undefined) {
        if (gate.failure) throw gate.failure;
        await gate.whenAvailable();
      } else if ('records' in entry) received += entry.records.length;
    }
  });
  await Promise.all([...produce, ...consume]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (received !== records.length) throw new Error(`received ${received} of ${records.length} records`);
  const stats = producer.stats();
  if (stats.connections.acceptedTotal !== 1) throw new Error(`expected one connection, saw ${stats.connections.acceptedTotal}`);
  await consumer.stop();
  await producer.stop();
  return { recordsPerSecond: records.length / seconds, seconds, buffers: stats.producer.buffersSent, bytes: stats.producer.bytesSent };
}

async function localRun(records: readonly WordCount[], id: number): Promise<Run> {
  const env = network.createNetworkEnvironment({ log: silentLogger(), resourceId: 'tm-local', ...envOptions });
  const writer = env.createResultPartition(`local${id}/0/src/0`, 1, { owner: 'Source' });
  const gate = env.createInputGate([{ partitionId: `local${id}/0/src/0`, subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
  const started = process.hrtime.bigint();
  let received = 0;
  let buffers = 0;
  const consume = (async () => {
    while (!gate.finished) {
      const entry = gate.poll();
      if (entry === undefined) await gate.whenAvailable();
      else if ('records' in entry) {
        received += entry.records.length;
        buffers += 1;
      }
    }
  })();
  for (const record of records) {
    if (!writer.isAvailable()) await writer.whenAvailable();
    writer.emit(0, record);
  }
  writer.broadcastEvent({ kind: 'end-of-partition' });
  await consume;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (received !== records.length) throw new Error(`local: received ${received} of ${records.length}`);
  await env.stop();
  return { recordsPerSecond: records.length / seconds, seconds, buffers, bytes: 0 };
}

// ---------------------------------------------------------------- main

const records = makeRecords(RECORDS);
process.stderr.write(`network bench: ${RECORDS} records, best of ${RUNS}\n`);
const serializers = compareSerializers(records);
const sizing = perRecordEstimateCost(records);

const remote: Run[] = [];
const raw: Array<Awaited<ReturnType<typeof measureRawCeiling>>> = [];
const multiplexed: Run[] = [];
const local: Run[] = [];
for (let run = 0; run < RUNS; run++) {
  remote.push(await remoteRun(records, run, 1));
  const recordsPerBuffer = Math.max(1, Math.round(RECORDS / remote[remote.length - 1]!.buffers));
  raw.push(await measureRawCeiling(records, recordsPerBuffer));
  multiplexed.push(await remoteRun(records, 100 + run, 4));
  local.push(await localRun(records, run));
  process.stderr.write(`run ${run + 1}: remote ${millions(remote.at(-1)!.recordsPerSecond)} M/s, raw ${millions(raw.at(-1)!.recordsPerSecond)} M/s, 4x4 ${millions(multiplexed.at(-1)!.recordsPerSecond)} M/s, local ${millions(local.at(-1)!.recordsPerSecond)} M/s\n`);
}
const bestRemote = best(remote);
const bestRaw = best(raw);
const bestMultiplexed = best(multiplexed);
const bestLocal = best(local);
const recordsPerBuffer = round(RECORDS / bestRemote.buffers, 0);

printReport({
  bench: 'network',
  figures: {
    records: RECORDS,
    record: '{ word: string (3-10 letters, 10k-word vocabulary), count: number }',
    bestOf: RUNS,
    options: { ...network.NETWORK_DEFAULTS, ...envOptions },
    remote1x1: {
      recordsPerSecond: Math.round(bestRemote.recordsPerSecond),
      seconds: round(bestRemote.seconds, 3),
      buffers: bestRemote.buffers,
      recordsPerBuffer,
      meanBufferBytes: Math.round(bestRemote.bytes / bestRemote.buffers),
      bytesPerRecord: round(bestRemote.bytes / RECORDS),
    },
    remote4x4OneConnection: { recordsPerSecond: Math.round(bestMultiplexed.recordsPerSecond), seconds: round(bestMultiplexed.seconds, 3), buffers: bestMultiplexed.buffers },
    local1x1: { recordsPerSecond: Math.round(bestLocal.recordsPerSecond), seconds: round(bestLocal.seconds, 3), buffers: bestLocal.buffers },
    rawCeiling: { recordsPerSecond: Math.round(bestRaw.recordsPerSecond), seconds: round(bestRaw.seconds, 3), batchSize: Math.round(RECORDS / bestRaw.batches), bytesPerRecord: round(bestRaw.bytes / RECORDS) },
    runs: { remote1x1: remote.map((r) => millions(r.recordsPerSecond)), rawCeiling: raw.map((r) => millions(r.recordsPerSecond)), remote4x4: multiplexed.map((r) => millions(r.recordsPerSecond)), local: local.map((r) => millions(r.recordsPerSecond)) },
    batchSizing: { ...sizing, rawCeilingNsPerRecord: round(1e9 / bestRaw.recordsPerSecond, 1) },
    serializers,
  },
  ratios: {
    remoteOverRawCeiling: round(bestRemote.recordsPerSecond / bestRaw.recordsPerSecond, 3),
    multiplexed4x4OverRawCeiling: round(bestMultiplexed.recordsPerSecond / bestRaw.recordsPerSecond, 3),
    localOverRemote: round(bestLocal.recordsPerSecond / bestRemote.recordsPerSecond, 3),
  },
});
