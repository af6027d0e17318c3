/**
 * What a checkpoint costs one subtask of bench/jobs/checkpoint-job.ts in CPU,
 * measured in this process on one core with the runtime's own
 * HeapKeyedStateBackend filled with the same keys and values
 * (`{ count, text }`): the synchronous part at the barrier (`snapshot()`: a
 * copy-on-write hold of every key group), what the first write to each held
 * group then costs (one write per group; per-entry copy-on-write records that
 * one entry), the
 * serialization the persister does asynchronously (`encode` of every group),
 * the `Buffer.concat` of the pieces into files, and the CPU of a whole
 * checkpoint with the job's writes interleaved (what copy-on-write costs
 * the writes included).
 */
import { HeapKeyedStateBackend } from '@rivulet/taskmanager';
import type { ValueState } from '@rivulet/api';
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
  /**
   * CPU (process.cpuUsage) of a checkpoint with the job writing meanwhile: the
   * job's writes (read, then update with a new object, every key once, in key
   * order) interleaved group by group with encoding, as the persister and the
   * task share the thread, minus the same writes without a snapshot. It
   * counts what copy-on-write costs the writes, wherever it falls.
   */
  readonly interleavedCheckpointCpuMs: number;
  /** … of which encoding. */
  readonly interleavedEncodeCpuMs: number;
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
  const interleaved = measureInterleaved(backend, state, keys, rounds);
  const serializeMs = Math.round(median(serialize));
  return {
    keys,
    bytes,
    holdMs: Number(median(hold).toFixed(2)),
    copyOnWriteMs: Math.round(median(copy)),
    serializeMs,
    concatMs: Math.round(median(concat)),
    serializeMBps: Number((bytes / 1e6 / (serializeMs / 1000)).toFixed(1)),
    interleavedCheckpointCpuMs: interleaved.checkpointMs,
    interleavedEncodeCpuMs: interleaved.encodeMs,
  };
}

function measureInterleaved(
  backend: HeapKeyedStateBackend,
  state: ValueState<{ count: number; text: string }>,
  keys: number,
  rounds: number,
): { checkpointMs: number; encodeMs: number } {
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let key = 0;
  const write = (): void => {
    backend.setCurrentKey(key);
    const previous = state.value()!;
    state.update({ count: previous.count + 1, text: previous.text });
    key = (key + 1) % keys;
  };
  const extra: number[] = [];
  const encode: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const groups = backend.nonEmptyKeyGroups();
    const writesPerGroup = Math.ceil(keys / groups.length);
    const alone = cpuMs();
    for (let i = 0; i < writesPerGroup * groups.length; i++) write();
    const withoutMs = cpuMs() - alone;
    const started = cpuMs();
    const snapshot = backend.snapshot();
    let encodeMs = 0;
    for (const g of snapshot.keyGroups) {
      for (let i = 0; i < writesPerGroup; i++) write();
      const encodeStarted = cpuMs();
      snapshot.encode(g);
      encodeMs += cpuMs() - encodeStarted;
    }
    extra.push(cpuMs() - started - withoutMs);
    encode.push(encodeMs);
  }
  return { checkpointMs: Math.round(median(extra)), encodeMs: Math.round(median(encode)) };
}
