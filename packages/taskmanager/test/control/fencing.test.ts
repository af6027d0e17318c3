import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CHANNEL_OPTIONS, FencingError, callUnary, rivuletProto } from '@rivulet/common';
import { runCliJson, startJobManager, startTaskManager, stopAllProcesses, waitFor } from '@rivulet/testing';

after(stopAllProcesses);

describe('fencing of JobManager -> TaskManager calls', { timeout: 60_000 }, () => {
  test('a TaskManager refuses calls from a leader session older than the one it registered with', async () => {
    const jm = await startJobManager();
    const tm = await startTaskManager(jm.rpcAddress);
    const cluster = await waitFor(async () => {
      const c = await runCliJson<{ taskmanagers: unknown[]; leader: { sessionId: string; epoch: number } }>(['cluster', '--jobmanager', jm.rpcAddress]);
      return c.taskmanagers.length === 1 ? c : undefined;
    }, { timeoutMs: 10_000, what: 'the TaskManager to register' });

    const client = new (rivuletProto().TaskManagerService)(`127.0.0.1:${tm.rpcPort}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    const target = 'TaskManager';
    try {
      const stale = { sessionId: 'an-old-leader', epoch: cluster.leader.epoch - 1 };
      await assert.rejects(
        callUnary(client, 'ReleaseSlots', { leader: stale, jobId: 'j' }, { timeoutMs: 5000, target }),
        (err: unknown) => err instanceof FencingError && /refused: a newer leader/.test(err.message),
      );
      await assert.rejects(
        callUnary(client, 'ReleaseSlots', { jobId: 'j' }, { timeoutMs: 5000, target }),
        (err: unknown) => err instanceof FencingError && /no leader session/.test(err.message),
      );
      const current = { sessionId: cluster.leader.sessionId, epoch: cluster.leader.epoch };
      const ack = await callUnary(client, 'ReleaseSlots', { leader: current, jobId: 'j' }, { timeoutMs: 5000, target });
      assert.deepEqual(ack, {});
    } finally {
      client.close();
    }
  });
});
