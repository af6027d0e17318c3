/**
 * What the synchronous part of a checkpoint costs one subtask of
 * bench/jobs/checkpoint-job.ts, measured in this process on one core: the
 * runtime's own HeapKeyedStateBackend filled with the same keys and values
 * (`{ count, text }`), then `snapshotKeyGroups()` (msgpackr, one copy per key
 * group — what a task does at the barrier, on its event loop) and the
 * `Buffer.concat` the persister does before its PutObject.
 */
import { HeapKeyedStateBackend } from '@rivulet/common';
import { median } from './checkpoint-cluster.js';

export interface SnapshotCost {
  readonly keys: number;
  readonly bytes: number;
  readonly serializeMs: number;
  readonly concatMs: number;
  readonly serializeMBps: number;
}

export function measureSnapshotCost(keys: number, textLength: number, maxParallelism = 128, rounds = 3): SnapshotCost {
  const backend = new HeapKeyedStateBackend({
    operatorId: 'bench',
    maxParallelism,
    keyGroups: Array.from({ length: maxParallelism }, (_, g) => g),
  });
  const state = backend.getValueState<{ count: number; text: string }>('value');
  for (let key = 0; key < keys; key++) {
    backend.setCurrentKey(key);
    state.update({ count: 1 + (key % 100), text: Buffer.from(`${key}:`.padEnd(textLength, '.')).toString('latin1') });
  }
  const serialize: number[] = [];
  const concat: number[] = [];
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    const groups = backend.snapshotKeyGroups();
    const t1 = performance.now();
    const file = Buffer.concat([...groups.values()]);
    const t2 = performance.now();
    serialize.push(t1 - t0);
    concat.push(t2 - t1);
    bytes = file.byteLength;
  }
  const serializeMs = Math.round(median(serialize));
  return { keys, bytes, serializeMs, concatMs: Math.round(median(concat)), serializeMBps: Number((bytes / 1e6 / (serializeMs / 1000)).toFixed(1)) };
}
