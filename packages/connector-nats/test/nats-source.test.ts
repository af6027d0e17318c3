import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { freePort, startNatsServer, waitFor, type StartedNatsServer } from '@rivulet/testing';
import { NatsSource, StartingPosition, partitionSubjects, type NatsSourceOptions, type NatsSplit } from '../src/index.js';
import { TestEnumeratorContext } from './harness/enumerator-context.js';
import { TestReaderOutput, drive, readerContext } from './harness/reader-output.js';

/**
 * The NATS source's enumerator and reader against a real nats-server
 * (startNatsServer), driven through test implementations of the Source API's
 * contexts: split discovery and assignment, every starting position,
 * positions in snapshotState and resuming from them, per-split timestamps,
 * bounded reading, and the errors of bad input.
 */

interface Event {
  readonly n: number;
}

let server: StartedNatsServer;
let connection: NatsConnection;
let manager: JetStreamManager;
let client: JetStreamClient;
let streamCount = 0;

/** A new stream `S<k>` capturing `s<k>.>`; returns its name and subject prefix. */
async function newStream(): Promise<{ stream: string; prefix: string }> {
  streamCount += 1;
  const stream = `S${streamCount}`;
  const prefix = `s${streamCount}`;
  await manager.streams.add({ name: stream, subjects: [`${prefix}.>`] });
  return { stream, prefix };
}

/** Publishes events n = from..to-1 round-robin over `subjects`; returns their stream sequences. */
async function publish(subjects: readonly string[], from: number, to: number): Promise<number[]> {
  const sequences: number[] = [];
  for (let n = from; n < to; n += 1) {
    const ack = await client.publish(subjects[n % subjects.length]!, JSON.stringify({ n } satisfies Event));
    sequences.push(ack.seq);
  }
  return sequences;
}

/** Runs the enumerator to its assignment with `parallelism` registered readers. */
async function enumerate(source: NatsSource<Event>, parallelism: number): Promise<TestEnumeratorContext<NatsSplit>> {
  const context = new TestEnumeratorContext<NatsSplit>(parallelism);
  for (let subtask = 0; subtask < parallelism; subtask += 1) context.register(subtask);
  const enumerator = source.createEnumerator(context);
  await enumerator.start();
  await context.settled();
  await enumerator.close?.();
  return context;
}

/** Reads `count` records with one reader given `splits`; returns the output and the splits' snapshot. */
async function read(source: NatsSource<Event>, splits: NatsSplit[], count: number): Promise<{ output: TestReaderOutput<Event>; snapshot: NatsSplit[] }> {
  const reader = source.createReader(readerContext(0, 1));
  const output = new TestReaderOutput<Event>();
  await reader.start();
  reader.addSplits(splits);
  try {
    await drive(reader, output, () => output.records.length >= count);
    return { output, snapshot: await reader.snapshotState(1) };
  } finally {
    await reader.close();
  }
}

function options(stream: string, extra: Partial<NatsSourceOptions<Event>> = {}): NatsSourceOptions<Event> {
  return { servers: server.endpoint, stream, ...extra };
}

const ns = (output: TestReaderOutput<Event>): number[] => output.records.map(({ record }) => record.n).sort((a, b) => a - b);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('NatsSource against a real nats-server', { timeout: 80_000 }, () => {
  before(async () => {
    server = await startNatsServer();
    connection = await connect({ servers: server.endpoint, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    manager = await jetstreamManager(connection);
    client = jetstream(connection);
  });
  after(async () => {
    await connection?.close();
    await server?.close();
  });

  test('one split per filter subject, each assigned to subtask (index mod parallelism); the stream subjects by default', async () => {
    const { stream, prefix } = await newStream();
    const filters = partitionSubjects(`${prefix}.{partition}.*`, 3);
    assert.deepEqual(filters, [`${prefix}.0.*`, `${prefix}.1.*`, `${prefix}.2.*`]);
    const context = await enumerate(new NatsSource<Event>(options(stream, { subjects: filters })), 2);
    assert.equal(context.asyncError, undefined);
    assert.deepEqual(context.assigned.get(0)?.map((split) => split.splitId), [`${prefix}.0.*`, `${prefix}.2.*`]);
    assert.deepEqual(context.assigned.get(1)?.map((split) => split.splitId), [`${prefix}.1.*`]);
    assert.ok([...context.assigned.values()].flat().every((split) => split.nextSequence === 1), 'earliest is sequence 1');

    const byDefault = await enumerate(new NatsSource<Event>(options(stream)), 2);
    assert.deepEqual(byDefault.assigned.get(0)?.map((split) => split.filterSubject), [`${prefix}.>`]);
    assert.equal(byDefault.assigned.get(1), undefined);
  });

  test('splits wait for their reader to register; a restored enumerator keeps unassigned splits and does not discover again', async () => {
    const { stream, prefix } = await newStream();
    const source = new NatsSource<Event>(options(stream, { subjects: [`${prefix}.a`, `${prefix}.b`] }));
    const context = new TestEnumeratorContext<NatsSplit>(2);
    context.register(1);
    const enumerator = source.createEnumerator(context);
    await enumerator.start();
    await context.settled();
    assert.deepEqual(context.assigned.get(1)?.map((split) => split.splitId), [`${prefix}.b`]);
    const state = await enumerator.snapshotState(1);
    assert.deepEqual(state.unassigned.map((split) => split.splitId), [`${prefix}.a`]);

    const restoredContext = new TestEnumeratorContext<NatsSplit>(2);
    const restored = source.restoreEnumerator(restoredContext, state);
    await restored.start();
    restoredContext.register(0);
    restored.addReader(0);
    await restoredContext.settled();
    assert.deepEqual(restoredContext.assigned.get(0)?.map((split) => split.splitId), [`${prefix}.a`]);
    assert.equal(restoredContext.assigned.get(1), undefined, 'split b was not discovered again');
    restoredContext.register(1);
    restored.addSplitsBack([context.assigned.get(1)![0]!], 1);
    assert.deepEqual(restoredContext.assigned.get(1)?.map((split) => split.splitId), [`${prefix}.b`], 'a split given back goes to its owner again');
    await enumerator.close?.();
    await restored.close?.();
  });

  test('reads from earliest, latest, a sequence and a time', async () => {
    const { stream, prefix } = await newStream();
    const subjects = [`${prefix}.x`, `${prefix}.y`];
    const sequences = await publish(subjects, 0, 20);
    await new Promise((r) => setTimeout(r, 30));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 30));
    await publish(subjects, 20, 30);

    const earliest = new NatsSource<Event>(options(stream, { subjects }));
    const all = await read(earliest, [...(await enumerate(earliest, 1)).assigned.get(0)!], 30);
    assert.deepEqual(ns(all.output), range(0, 30));

    const bySequence = new NatsSource<Event>(options(stream, { subjects, startingPosition: StartingPosition.sequence(sequences[12]!) }));
    assert.deepEqual(ns((await read(bySequence, (await enumerate(bySequence, 1)).assigned.get(0)!, 18)).output), range(12, 30));

    const byTime = new NatsSource<Event>(options(stream, { subjects, startingPosition: StartingPosition.timestamp(between) }));
    const timeSplits = (await enumerate(byTime, 1)).assigned.get(0)!;
    assert.deepEqual(ns((await read(byTime, timeSplits, 10)).output), range(20, 30));

    const latest = new NatsSource<Event>(options(stream, { subjects, startingPosition: StartingPosition.latest() }));
    const latestSplits = (await enumerate(latest, 1)).assigned.get(0)!;
    await publish(subjects, 30, 35);
    const fromLatest = await read(latest, latestSplits, 5);
    assert.deepEqual(ns(fromLatest.output), range(30, 35));
  });

  test('records carry the message time, through their split output (per-split watermarks)', async () => {
    const { stream, prefix } = await newStream();
    const subjects = [`${prefix}.x`, `${prefix}.y`];
    const before = Date.now();
    await publish(subjects, 0, 10);
    const after = Date.now();
    const source = new NatsSource<Event>(options(stream, { subjects }));
    const { output } = await read(source, (await enumerate(source, 1)).assigned.get(0)!, 10);
    for (const { record, timestamp, splitId } of output.records) {
      assert.equal(splitId, subjects[record.n % 2], `event ${record.n} came through its split's output`);
      assert.ok(timestamp !== undefined && timestamp >= before - 5 && timestamp <= after + 5, `timestamp ${timestamp} is the message time`);
    }
    for (const subject of subjects) {
      const own = output.records.filter((r) => r.splitId === subject).map((r) => r.timestamp!);
      assert.equal(output.splitWatermarks.get(subject), Math.max(...own));
      assert.deepEqual(own, [...own].sort((a, b) => a - b), 'a split emits in stream order');
    }
  });

  test('positions in snapshotState: resuming reads nothing twice and skips nothing', async () => {
    const { stream, prefix } = await newStream();
    const subjects = [`${prefix}.a`, `${prefix}.b`, `${prefix}.c`];
    await publish(subjects, 0, 300);
    const source = new NatsSource<Event>(options(stream, { subjects, fetchBatchSize: 16 }));
    const splits = (await enumerate(source, 1)).assigned.get(0)!;
    const first = await read(source, splits, 100);
    assert.equal(first.snapshot.length, 3);
    const emittedBySplit = new Map(subjects.map((s) => [s, first.output.records.filter((r) => r.splitId === s).length]));
    await publish(subjects, 300, 330);
    const second = await read(source, first.snapshot, 330 - first.output.records.length);
    const seen = [...first.output.records, ...second.output.records].map(({ record }) => record.n).sort((a, b) => a - b);
    assert.deepEqual(seen, range(0, 330), 'every event exactly once over the two runs');
    for (const split of first.snapshot) {
      const read = emittedBySplit.get(split.splitId)!;
      assert.ok(split.nextSequence > 1 || read === 0, `split ${split.splitId} position moved past its ${read} emitted records`);
    }
  });

  test('a reader rides out a restart of the server: its consumers resume after the last message emitted', async () => {
    const { stream, prefix } = await newStream();
    const subjects = [`${prefix}.a`, `${prefix}.b`];
    await publish(subjects, 0, 200);
    const source = new NatsSource<Event>(options(stream, { subjects, fetchBatchSize: 32, reconnectTimeWaitMs: 100 }));
    const splits = (await enumerate(source, 1)).assigned.get(0)!;
    const reader = source.createReader(readerContext(0, 1));
    const output = new TestReaderOutput<Event>();
    await reader.start();
    reader.addSplits(splits);
    try {
      await drive(reader, output, () => output.records.length >= 200);
      await server.stop();
      await server.start();
      await waitFor(async () => (await manager.streams.info(stream).catch(() => undefined))?.state.messages === 200, { timeoutMs: 10_000, what: 'the restarted server to serve the stream' });
      await publish(subjects, 200, 300);
      await drive(reader, output, () => output.records.length >= 300, 30_000);
      assert.deepEqual(ns(output), range(0, 300), 'every event once across the restart');
    } finally {
      await reader.close();
    }
  });

  test('bounded: stops at the last sequence at discovery, releases each split and ends', async () => {
    const { stream, prefix } = await newStream();
    const subjects = [`${prefix}.a`, `${prefix}.b`, `${prefix}.empty`];
    await publish(subjects.slice(0, 2), 0, 40);
    const source = new NatsSource<Event>(options(stream, { subjects, bounded: true }));
    assert.equal(source.getBoundedness(), 'BOUNDED');
    const context = await enumerate(source, 1);
    assert.ok(context.noMoreSplits.has(0));
    await publish([`${prefix}.b`], 40, 50); // after discovery: not read; split a must end on its own
    const reader = source.createReader(readerContext(0, 1));
    const output = new TestReaderOutput<Event>();
    await reader.start();
    reader.addSplits(context.assigned.get(0)!);
    reader.notifyNoMoreSplits();
    const status = await drive(reader, output, () => false);
    await reader.close();
    assert.equal(status, 'END_OF_INPUT');
    assert.deepEqual(ns(output), range(0, 40));
    assert.deepEqual([...output.released].sort(), [...subjects].sort());
  });

  describe('bad input: a clear error naming the connector, the server and what failed', () => {
    async function discoveryError(opts: NatsSourceOptions<Event>): Promise<Error> {
      const context = await enumerate(new NatsSource<Event>(opts), 1);
      assert.ok(context.asyncError, 'discovery failed');
      return context.asyncError;
    }

    test('an unreachable server', async () => {
      const port = await freePort();
      const error = await discoveryError({ servers: `nats://127.0.0.1:${port}`, stream: 'S1', connectTimeoutMs: 1000 });
      assert.match(error.message, new RegExp(`^NATS source \\(nats://127.0.0.1:${port}, stream "S1"\\): cannot connect to the server`));
      const reader = new NatsSource<Event>({ servers: `nats://127.0.0.1:${port}`, stream: 'S1', connectTimeoutMs: 1000 }).createReader(readerContext(0, 1));
      await assert.rejects(async () => reader.start(), /NATS source .*cannot connect to the server/);
    });

    test('a missing stream', async () => {
      const error = await discoveryError(options('NO_SUCH_STREAM'));
      assert.match(error.message, new RegExp(`NATS source \\(${server.endpoint}, stream "NO_SUCH_STREAM"\\): stream "NO_SUCH_STREAM" does not exist`));
    });

    test('bad credentials', async () => {
      const secured = await startNatsServer({ user: 'rivulet', password: 'right' });
      try {
        const error = await discoveryError({ servers: secured.endpoint, stream: 'S1', user: 'rivulet', password: 'wrong' });
        assert.match(error.message, new RegExp(`NATS source \\(${secured.endpoint}, stream "S1"\\): the server rejected the credentials`));
      } finally {
        await secured.close();
      }
    });

    test('a subject outside the stream, overlapping filters, a bad starting position', async () => {
      const { stream, prefix } = await newStream();
      assert.match((await discoveryError(options(stream, { subjects: ['elsewhere.>'] }))).message, /filter subject "elsewhere\.>" is outside stream "S\d+" \(its subjects: s\d+\.>\)/);
      assert.match((await discoveryError(options(stream, { subjects: [`${prefix}.*`, `${prefix}.a`] }))).message, /filter subjects "s\d+\.\*" and "s\d+\.a" overlap/);
      assert.match((await discoveryError(options(stream, { startingPosition: StartingPosition.sequence(0) }))).message, /starting sequence 0 is not an integer >= 1/);
      assert.throws(() => partitionSubjects('no-placeholder', 2), /NATS source: partition template "no-placeholder" has no \{partition\}/);
    });
  });
});
