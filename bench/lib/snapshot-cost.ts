/**
 * What a checkpoint costs one subtask of bench/jobs/checkpoint-job.ts in CPU,
 * measured in this process on one core with the runtime's own
 * HeapKeyedStateBackend filled with the same keys and values
 * (`{ count, text }`): the synchronous part at the barrier (`snapshot()`: a
 * copy-on-write hold of every key group), what the first write to each held
 * group then costs (one write per group; per-entry copy-on-write records that
 * one entry), the
 * serialization the persister does asynchronously (`encode` of every group),
 * and the `Buffer.concat` of the pieces into files.
 */
import { HeapKeyedStateBackend } from '@rivulet/taskmanager';
import { median } from './checkpoint-cluster.js';

export interface SnapshotCost {
  readonly keys: number;
  readonly bytes: number;
  /** At the barrier, on the task's event loop. */
  readonly holdMs: number;
  /** One write into every held group right after the barrier (each records one entry for the snapshot: copy-on-write per entry). */
  readonly copyOnWriteMs: number;
  /** Asynchronous part, spread over event-loop turns by the persister. */
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
  const hold: number[] = [];
  const copy: number[] = [];
  const serialize: number[] = [];
  const concat: number[] = [];
  const oneKeyPerGroup = new Map<number, number>();
  for (let key = 0; oneKeyPerGroup.size < maxParallelism && key < keys; key++) {
    backend.setCurrentKey(key);
    if (!oneKeyPerGroup.has(backend.currentKeyGroup)) oneKeyPerGroup.set(backend.currentKeyGroup, key);
  }
  let bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    const snapshot = backend.snapshot();
    const t1 = performance.now();
    for (const key of oneKeyPerGroup.values()) {
      backend.setCurrentKey(key);
      state.update({ count: 0, text: 'written while held' });
    }
    const t2 = performance.now();
    const pieces = snapshot.keyGroups.map((g) => snapshot.encode(g));
    const t3 = performance.now();
    const file = Buffer.concat(pieces);
    const t4 = performance.now();
    hold.push(t1 - t0);
    copy.push(t2 - t1);
    serialize.push(t3 - t2);
    concat.push(t4 - t3);
    bytes = file.byteLength;
  }
  const serializeMs = Math.round(median(serialize));
  return {
    keys,
    bytes,
    holdMs: Number(median(hold).toFixed(2)),
    copyOnWriteMs: Math.round(median(copy)),
    serializeMs,
    concatMs: Math.round(median(concat)),
    serializeMBps: Number((bytes / 1e6 / (serializeMs / 1000)).toFixed(1)),
  };
}
