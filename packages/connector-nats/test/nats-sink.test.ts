import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { freePort, startNatsServer, waitFor, type StartedNatsServer } from '@rivulet/testing';
import type { SinkWriter } from '@rivulet/api';
import { NatsSerializers, NatsSink, type NatsCommittable, type NatsSinkOptions } from '../src/index.js';
import { NO_TIME, TestCommitRequest, writerInit } from './harness/commit-request.js';

/**
 * The NATS sink's writers and committer against a real nats-server
 * (startNatsServer), driven as the Sink API's runtime does: exactly-once
 * publishes nothing before the commit and a commit made again is dropped by
 * the stream's duplicate window (also after a server crash in the middle of
 * a commit); at-least-once has everything stored when flush returns; none
 * publishes without waiting; the duplicate-window check; every bad input.
 */

interface Result {
  readonly key: string;
  readonly n: number;
}

let server: StartedNatsServer;
let connection: NatsConnection;
let manager: JetStreamManager;
let client: JetStreamClient;
let streamCount = 0;

async function newStream(duplicateWindowMs = 120_000): Promise<{ stream: string; prefix: string }> {
  streamCount += 1;
  const stream = `OUT${streamCount}`;
  const prefix = `out${streamCount}`;
  await manager.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: duplicateWindowMs * 1e6 });
  return { stream, prefix };
}

async function stored(stream: string): Promise<number> {
  return (await manager.streams.info(stream)).state.messages;
}

/** Every message of the stream, in order. */
async function readAll(stream: string): Promise<JsMsg[]> {
  const count = await stored(stream);
  const consumer = await client.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages: JsMsg[] = [];
  if (count > 0) {
    const iterator = await consumer.consume({ max_messages: 1000 });
    for await (const message of iterator) {
      messages.push(message);
      if (messages.length === count) break;
    }
  }
  await consumer.delete().catch(() => undefined);
  return messages;
}

async function writeAll<T>(writer: SinkWriter<T, NatsCommittable>, records: readonly T[]): Promise<void> {
  for (const record of records) await writer.write(record, NO_TIME);
}

const results = (from: number, to: number): Result[] => Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % 3}`, n: from + i }));

describe('NatsSink against a real nats-server', { timeout: 80_000 }, () => {
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

  function options(stream: string, extra: Partial<NatsSinkOptions<Result>> = {}): NatsSinkOptions<Result> {
    return { servers: server.endpoint, stream, subject: `${stream.toLowerCase()}.results`, deliveryGuarantee: 'EXACTLY_ONCE', ...extra };
  }

  test('exactly-once: nothing is published before the commit; the commit publishes the checkpoint in order with deterministic ids', async () => {
    const { stream } = await newStream();
    const sink = new NatsSink<Result>(options(stream, { subject: (r) => `${stream.toLowerCase()}.${r.key}` }));
    assert.ok(sink.createCommitter, 'an exactly-once sink has a committer');
    const writer = await sink.createWriter(writerInit(3, 'job-a'));
    await writeAll(writer, results(0, 50));
    await writer.flush(false);
    const [first, ...none] = await writer.prepareCommit!();
    assert.equal(none.length, 0);
    await writeAll(writer, results(50, 80));
    await writer.flush(false);
    const [second] = await writer.prepareCommit!();
    assert.deepEqual(await writer.prepareCommit!(), [], 'no records, no committable');
    assert.equal(await stored(stream), 0, 'nothing published before the commit');

    const committer = await sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'job-a' });
    const requests = [new TestCommitRequest(first!), new TestCommitRequest(second!)];
    await committer.commit(requests);
    assert.deepEqual(requests.map((r) => r.result), ['committed', 'committed']);
    const messages = await readAll(stream);
    assert.deepEqual(messages.map((m) => (m.json() as Result).n), results(0, 80).map((r) => r.n));
    assert.deepEqual(messages.slice(0, 3).map((m) => m.subject), [`${stream.toLowerCase()}.k0`, `${stream.toLowerCase()}.k1`, `${stream.toLowerCase()}.k2`]);
    const ids = messages.map((m) => m.headers?.get('Nats-Msg-Id'));
    assert.match(ids[0]!, /^job-a\.3\.[0-9a-f]{12}\.0\.0$/);
    assert.match(ids[50]!, /^job-a\.3\.[0-9a-f]{12}\.1\.0$/);
    assert.equal(new Set(ids).size, 80, 'ids are unique');
    await writer.close();
    await committer.close?.();
  });

  test('exactly-once: a commit made again (recovery) is dropped by the duplicate window; another writer never reuses ids', async () => {
    const { stream } = await newStream();
    const sink = new NatsSink<Result>(options(stream));
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, results(0, 40));
    const [committable] = await writer.prepareCommit!();
    const committer = await sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'job-1' });
    await committer.commit([new TestCommitRequest(committable!)]);
    const again = new TestCommitRequest(committable!);
    const restoredCommitter = await sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'job-1' });
    await restoredCommitter.commit([again]);
    assert.equal(again.result, 'already-committed');
    assert.equal(await stored(stream), 40, 'the replayed commit stored nothing');

    const restarted = await sink.createWriter(writerInit());
    await writeAll(restarted, results(0, 40));
    const [replayed] = await restarted.prepareCommit!();
    assert.notEqual(replayed!.messageIdPrefix, committable!.messageIdPrefix);
    await restoredCommitter.commit([new TestCommitRequest(replayed!)]);
    assert.equal(await stored(stream), 80, "a new writer's records are new messages");
    await Promise.all([writer.close(), restarted.close(), committer.close?.(), restoredCommitter.close?.()]);
  });

  test('exactly-once: a commit cut by a server crash is retried later, and the retry stores each message once', async () => {
    const { stream } = await newStream();
    const total = 20_000;
    const sink = new NatsSink<Result>(options(stream, { ackTimeoutMs: 1000, maxInFlight: 64, reconnectTimeWaitMs: 100 }));
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, results(0, total));
    const [committable] = await writer.prepareCommit!();
    await writer.close();
    const committer = await sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'job-1' });
    try {
      const cut = new TestCommitRequest(committable!);
      const commit = committer.commit([cut]);
      await waitFor(async () => (await stored(stream)) > 0, { timeoutMs: 5000, intervalMs: 5, what: 'the commit to have begun' });
      await server.kill();
      await commit;
      assert.equal(cut.result, 'retry-later');
      await server.start();
      const partial = await waitFor(async () => stored(stream).catch(() => undefined), { timeoutMs: 10_000, what: 'the restarted server to answer' });
      assert.ok(partial > 0 && partial < total, `the crash cut the commit (${partial} of ${total} stored)`);
      await waitFor(
        async () => {
          const retry = new TestCommitRequest(committable!, 1);
          await committer.commit([retry]);
          return retry.result === 'committed';
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'the retried commit to succeed' },
      );
      const messages = await readAll(stream);
      assert.deepEqual(messages.map((m) => (m.json() as Result).n), results(0, total).map((r) => r.n), 'each message once, in order');
    } finally {
      await server.start();
      await committer.close?.();
    }
  });

  test('exactly-once: a duplicate window shorter than minDuplicateWindowMs fails at start, naming both', async () => {
    const { stream } = await newStream(1000);
    const sink = new NatsSink<Result>(options(stream));
    await assert.rejects(
      async () => sink.createWriter(writerInit()),
      new RegExp(`^NatsConnectorError: NATS sink \\(${server.endpoint}, stream "${stream}"\\): stream "${stream}" keeps duplicates for 1000 ms, less than the 120000 ms exactly-once needs`),
    );
    await assert.rejects(async () => sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'j' }), /keeps duplicates for 1000 ms/);
    const lenient = await new NatsSink<Result>(options(stream, { minDuplicateWindowMs: 1000 })).createWriter(writerInit());
    await lenient.close();
    const atLeastOnce = await new NatsSink<Result>(options(stream, { deliveryGuarantee: 'AT_LEAST_ONCE' })).createWriter(writerInit());
    await atLeastOnce.close();
  });

  test('at-least-once: every record written is stored when flush returns; no committer', async () => {
    const { stream } = await newStream();
    const sink = new NatsSink<Result>(options(stream, { deliveryGuarantee: 'AT_LEAST_ONCE', maxInFlight: 64 }));
    assert.equal(sink.createCommitter, undefined);
    const writer = await sink.createWriter(writerInit());
    await writeAll(writer, results(0, 3000));
    await writer.flush(false);
    assert.equal(await stored(stream), 3000);
    await writer.close();
  });

  test("none (the default, as Flink's KafkaSink): publishes without waiting; string and bytes serializers pass payloads through", async () => {
    const { stream, prefix } = await newStream();
    const strings = new NatsSink<string>({ servers: server.endpoint, stream, subject: `${prefix}.s`, serializer: NatsSerializers.string() });
    assert.equal(strings.deliveryGuarantee, 'NONE');
    assert.equal(strings.createCommitter, undefined);
    const writer = await strings.createWriter(writerInit());
    for (let i = 0; i < 100; i += 1) await writer.write(`line ${i}`, NO_TIME);
    await writer.flush(true);
    await writer.close();
    const bytes = new NatsSink<Uint8Array>({ servers: server.endpoint, stream, subject: `${prefix}.b`, deliveryGuarantee: 'AT_LEAST_ONCE', serializer: NatsSerializers.bytes() });
    const bytesWriter = await bytes.createWriter(writerInit());
    await bytesWriter.write(new Uint8Array([0, 255, 7]), NO_TIME);
    await bytesWriter.flush(true);
    await bytesWriter.close();
    await waitFor(async () => (await stored(stream)) === 101, { timeoutMs: 5000, what: '101 messages stored' });
    const messages = await readAll(stream);
    assert.equal(messages[0]!.string(), 'line 0');
    assert.equal(messages[99]!.string(), 'line 99');
    assert.deepEqual([...messages[100]!.data], [0, 255, 7]);
  });

  test('createStream: a missing stream is created (subjects, duplicate window), an existing one is used as it is', async () => {
    streamCount += 1;
    const stream = `MADE${streamCount}`;
    const sink = new NatsSink<Result>({
      servers: server.endpoint, stream, subject: `made${streamCount}.x`, deliveryGuarantee: 'EXACTLY_ONCE',
      createStream: { subjects: [`made${streamCount}.>`], duplicateWindowMs: 300_000 },
    });
    const [writer, committer] = await Promise.all([sink.createWriter(writerInit()), sink.createCommitter!({ subtaskIndex: 0, parallelism: 1, jobId: 'j' })]);
    const info = await manager.streams.info(stream);
    assert.deepEqual(info.config.subjects, [`made${streamCount}.>`]);
    assert.equal(info.config.duplicate_window, 300_000 * 1e6);
    await writeAll(writer, results(0, 3));
    await committer.commit((await writer.prepareCommit!()).map((c) => new TestCommitRequest(c)));
    assert.equal(await stored(stream), 3);
    const again = await sink.createWriter(writerInit());
    assert.equal(await stored(stream), 3, 'the existing stream was kept');
    await Promise.all([writer.close(), again.close(), committer.close?.()]);
  });

  describe('bad input: a clear error naming the connector, the server and what failed', () => {
    test('an unreachable server', async () => {
      const port = await freePort();
      const sink = new NatsSink<Result>({ servers: `nats://127.0.0.1:${port}`, stream: 'OUT1', subject: 'out1.x', connectTimeoutMs: 1000 });
      await assert.rejects(async () => sink.createWriter(writerInit()), new RegExp(`NATS sink \\(nats://127.0.0.1:${port}, stream "OUT1"\\): cannot connect to the server`));
    });

    test('a missing stream', async () => {
      await assert.rejects(async () => new NatsSink<Result>(options('NOPE')).createWriter(writerInit()), /NATS sink \(nats:\/\/127\.0\.0\.1:\d+, stream "NOPE"\): stream "NOPE" does not exist/);
    });

    test('bad credentials', async () => {
      const secured = await startNatsServer({ user: 'rivulet', password: 'right' });
      try {
        const sink = new NatsSink<Result>({ servers: secured.endpoint, stream: 'OUT1', subject: 'out1.x', user: 'rivulet', password: 'wrong' });
        await assert.rejects(async () => sink.createWriter(writerInit()), /NATS sink \(nats:\/\/127\.0\.0\.1:\d+, stream "OUT1"\): the server rejected the credentials/);
      } finally {
        await secured.close();
      }
    });

    test('a subject outside the stream: fixed (at start) or per record (at write)', async () => {
      const { stream, prefix } = await newStream();
      await assert.rejects(async () => new NatsSink<Result>(options(stream, { subject: 'elsewhere.x' })).createWriter(writerInit()), /subject "elsewhere\.x" is outside stream "OUT\d+" \(its subjects: out\d+\.>\)/);
      for (const deliveryGuarantee of ['EXACTLY_ONCE', 'AT_LEAST_ONCE'] as const) {
        const writer = await new NatsSink<Result>(options(stream, { deliveryGuarantee, subject: (r) => (r.n === 2 ? 'elsewhere.y' : `${prefix}.ok`) })).createWriter(writerInit());
        await writer.write({ key: 'a', n: 1 }, NO_TIME);
        await assert.rejects(async () => writer.write({ key: 'a', n: 2 }, NO_TIME), /NATS sink .*: subject "elsewhere\.y" is outside stream/);
        await writer.close();
      }
    });

    test('bad options', () => {
      assert.throws(() => new NatsSink<Result>({ ...options('X'), deliveryGuarantee: 'SOMETIMES' as never }), /NATS sink \(.*\): delivery guarantee "SOMETIMES" is not one of EXACTLY_ONCE, AT_LEAST_ONCE, NONE/);
      assert.throws(() => new NatsSink<Result>({ servers: server.endpoint, stream: 'X' } as never), /no subject given/);
    });
  });
});
