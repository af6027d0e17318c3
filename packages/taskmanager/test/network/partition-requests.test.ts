import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionRequestError, RemoteChannelError, resultPartitionId, type TcpNetworkEnvironment } from '../../src/network/index.js';
import { delay, drain, produce, recordsOf, startEnv, until } from './helpers.js';

describe('partition requests', () => {
  const envs: TcpNetworkEnvironment[] = [];
  after(async () => {
    for (const env of envs) await env.stop();
  });

  test('a remote request made before the partition exists is served once it is created', async () => {
    const producer = await startEnv('tm-p');
    const consumer = await startEnv('tm-c');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('early', 0, 'src', 0);
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    await delay(150);
    assert.equal(gate.failure, undefined);
    const writer = producer.env.createResultPartition(id, 1, { owner: 'Source' });
    await produce(writer, 0, [1, 2, 3]);
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(gate);
    assert.deepEqual(recordsOf(entries!), [1, 2, 3]);
  });

  test('a remote request for a partition never created fails after the timeout, naming partition and peer', async () => {
    const producer = await startEnv('tm-p2', { partitionRequestTimeoutMs: 200 });
    const consumer = await startEnv('tm-c2');
    envs.push(producer.env, consumer.env);
    const id = resultPartitionId('never', 0, 'src', 3);
    const started = Date.now();
    const gate = consumer.env.createInputGate([{ partitionId: id, subpartitionIndex: 1, location: producer.location }], { owner: 'Sink' });
    await gate.whenAvailable();
    const error = gate.failure;
    assert.ok(error instanceof RemoteChannelError, String(error));
    assert.match(error.message, new RegExp(`producer at 127\\.0\\.0\\.1:${producer.port}`));
    assert.match(error.message, /partition never\/0\/src\/3 was not created within 200 ms/);
    assert.ok(Date.now() - started >= 180);
    assert.equal(gate.poll(), undefined);
  });

  test('a local request waits for the partition, and times out the same way', async () => {
    const { env } = await startEnv('tm-local', { partitionRequestTimeoutMs: 200 });
    envs.push(env);
    const waiting = env.createInputGate([{ partitionId: 'loc/0/a/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink' });
    const lonely = env.createInputGate([{ partitionId: 'loc/0/none/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Sink 2' });
    await delay(50);
    const writer = env.createResultPartition('loc/0/a/0', 1, { owner: 'Source' });
    writer.emit(0, 'late but fine');
    writer.broadcastEvent({ kind: 'end-of-partition' });
    const [entries] = await drain(waiting);
    assert.deepEqual(recordsOf(entries!), ['late but fine']);
    await until(() => lonely.failure !== undefined, 'the local request to time out');
    assert.ok(lonely.failure instanceof PartitionRequestError);
    assert.equal(lonely.failure.reason, 'timeout');
    assert.match(lonely.failure.message, /partition loc\/0\/none\/0 was not created within 200 ms/);
  });

  test('a request for a subpartition that does not exist, or is already taken, fails at once', async () => {
    const producer = await startEnv('tm-p3');
    const consumer = await startEnv('tm-c3');
    envs.push(producer.env, consumer.env);
    producer.env.createResultPartition('sub/0/a/0', 2, { owner: 'Source' });
    const wrong = consumer.env.createInputGate([{ partitionId: 'sub/0/a/0', subpartitionIndex: 5, location: producer.location }], { owner: 'A' });
    const first = consumer.env.createInputGate([{ partitionId: 'sub/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'B' });
    await delay(20);
    const second = consumer.env.createInputGate([{ partitionId: 'sub/0/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'C' });
    await until(() => wrong.failure !== undefined && second.failure !== undefined, 'both failures');
    assert.match(wrong.failure!.message, /has 2 subpartitions, not 6/);
    assert.match(second.failure!.message, /already has a consumer/);
    assert.equal(first.failure, undefined);
  });

  test('releaseJob releases partitions, gates and waiting requests of that attempt only', async () => {
    const producer = await startEnv('tm-p4');
    const consumer = await startEnv('tm-c4');
    envs.push(producer.env, consumer.env);
    const released = producer.env.createResultPartition('rj/1/a/0', 1, { owner: 'Source' });
    const kept = producer.env.createResultPartition('rj/2/a/0', 1, { owner: 'Source' });
    const gate = consumer.env.createInputGate([{ partitionId: 'rj/1/a/0', subpartitionIndex: 0, location: producer.location }], { owner: 'Sink' });
    const waitingLocal = producer.env.createInputGate([{ partitionId: 'rj/1/b/0', subpartitionIndex: 0, location: 'local' }], { owner: 'Local sink' });
    released.emit(0, 'x');
    const fully = released.whenFullyConsumed();
    producer.env.releaseJob('rj', 1);
    await assert.rejects(fully, /partition rj\/1\/a\/0 \(owner Source\) was released: job rj attempt 1 was released/);
    assert.throws(() => released.emit(0, 'y'), /was released/);
    assert.match(waitingLocal.failure?.message ?? '', /job rj attempt 1 was released/);
    await until(() => gate.failure !== undefined, 'the remote consumer to learn of the release');
    assert.match(gate.failure!.message, /was released/);
    // The other attempt is untouched; a new request for the released attempt fails at once.
    kept.emit(0, 'still here');
    assert.throws(() => producer.env.createResultPartition('rj/1/a/1', 1, { owner: 'late' }), /released job attempt/);
    const late = producer.env.createInputGate([{ partitionId: 'rj/1/a/0', subpartitionIndex: 0, location: 'local' }], { owner: 'late' });
    assert.match(late.failure?.message ?? '', /is gone/);
    consumer.env.releaseJob('rj', 1);
    assert.match(gate.failure!.message, /was released/);
  });
});
