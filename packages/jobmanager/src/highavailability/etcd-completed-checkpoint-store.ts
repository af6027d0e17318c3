/**
 * The completed checkpoint store with high availability: the retained
 * checkpoints in memory (retention is `StandaloneCompletedCheckpointStore`'s),
 * plus a pointer to the latest one in etcd at
 * `/rivulet/<cluster-id>/checkpoints/<job-id>/latest`:
 * `{ checkpointId, location: { root, folder }, externalPath, owned }`. The
 * `_metadata` stays in checkpoint storage; a new leader reads the pointer
 * (`readLatestPointer`) and then the metadata (`recoverLatestCheckpoint`).
 *
 * Invariants, besides CompletedCheckpointStore's:
 * - `add` resolves only after the pointer is written, fenced; when etcd
 *   refuses, fencing fails or the deadline passes, `add` rejects and the
 *   checkpoint is not `latest()`. (After a timeout the pointer may have been
 *   written all the same: the finalizer keeps the files of a checkpoint it
 *   could not record, so the pointer never names deleted files.)
 * - Pointer writes happen in the order of `add` calls, one at a time, so the
 *   pointer never moves back to an older checkpoint of this leader.
 * - A checkpoint retention pushes out is handed back only after the pointer
 *   names a newer one.
 * - `shutdown` leaves the pointer: a SUSPENDED job is recovered from it, and
 *   a job that reached a terminal state has it removed with the rest of its
 *   HA data (`EtcdJobStore.remove`).
 */
import { RivuletError, withEtcdDeadline, type SnapshotLocation } from '@rivulet/common';
import { z } from 'zod';
import {
  StandaloneCompletedCheckpointStore,
  readCheckpointMetadata,
  storageOf,
  type CompletedCheckpoint,
  type CompletedCheckpointStore,
  type ExternalizedCheckpointRetention,
  type JobEndStatus,
  type SnapshotStorages,
} from '../checkpoint/index.js';
import { CorruptedHaRecordError } from './errors.js';
import { boundedValue, checkJobId, latestCheckpointKey, type HaKeySettings } from './ha-keys.js';
import { CAS_MAX_ATTEMPTS, commitFenced, rangeResult, type EtcdClient, type EtcdStoreOptions, type KeyValue } from './leader-fence.js';

/** What etcd holds about a job's latest completed checkpoint. */
export interface LatestCheckpointPointer {
  readonly checkpointId: number;
  readonly location: SnapshotLocation;
  readonly externalPath: string;
  readonly owned: boolean;
}

export interface EtcdCompletedCheckpointStoreOptions extends EtcdStoreOptions {
  readonly jobId: string;
  /** execution.checkpointing.num-retained. */
  readonly numRetained: number;
}

const pointerSchema = z.strictObject({
  checkpointId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  location: z.strictObject({ root: z.string().min(1).nullable(), folder: z.string() }),
  externalPath: z.string().min(1),
  owned: z.boolean(),
});

export class EtcdCompletedCheckpointStore implements CompletedCheckpointStore {
  readonly jobId: string;
  /** `/rivulet/<cluster-id>/checkpoints/<job-id>/latest`. */
  readonly pointerKey: string;
  private readonly retained: StandaloneCompletedCheckpointStore;
  /** The `add` in progress; the next one waits for it. */
  private adding: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Mod revision of the pointer as this store last saw it; undefined: read it first. */
  private pointerRevision: string | undefined;

  constructor(private readonly options: EtcdCompletedCheckpointStoreOptions) {
    this.jobId = checkJobId(options.jobId);
    this.pointerKey = latestCheckpointKey(options.settings, options.jobId);
    this.retained = new StandaloneCompletedCheckpointStore(options.numRetained);
  }

  /**
   * A store whose latest checkpoint is `recovered` (from `recoverLatestCheckpoint`,
   * by a new leader), without writing the pointer again: it names it already.
   * (`restoreFromSnapshot(…, { owned })` on an empty store does the same and
   * rewrites the pointer.)
   */
  static async withRecovered(options: EtcdCompletedCheckpointStoreOptions, recovered: CompletedCheckpoint): Promise<EtcdCompletedCheckpointStore> {
    const store = new EtcdCompletedCheckpointStore(options);
    await store.retained.add(recovered);
    return store;
  }

  /** The pointer to the job's latest completed checkpoint, or undefined when none was recorded (or the job's HA data was removed). */
  static async readLatestPointer(
    client: EtcdClient,
    settings: HaKeySettings,
    jobId: string,
    options: { readonly timeoutMs?: number } = {},
  ): Promise<LatestCheckpointPointer | undefined> {
    const key = latestCheckpointKey(settings, jobId);
    const response = await withEtcdDeadline(client.get(key).exec(), `read of the latest checkpoint pointer of job ${jobId}`, {
      timeoutMs: options.timeoutMs,
    });
    const kv = response.kvs[0];
    return kv === undefined ? undefined : decodePointer(key, kv);
  }

  add(checkpoint: CompletedCheckpoint): Promise<readonly CompletedCheckpoint[]> {
    const result = this.adding.then(() => this.addInTurn(checkpoint));
    this.adding = result.catch(() => undefined);
    return result;
  }

  latest(): CompletedCheckpoint | undefined {
    return this.retained.latest();
  }

  all(): readonly CompletedCheckpoint[] {
    return this.retained.all();
  }

  /** Ends the store (retention as the standalone store); the pointer stays in etcd. */
  async shutdown(status: JobEndStatus, retention: ExternalizedCheckpointRetention): Promise<readonly CompletedCheckpoint[]> {
    this.closed = true;
    await this.adding;
    return this.retained.shutdown(status, retention);
  }

  private async addInTurn(checkpoint: CompletedCheckpoint): Promise<readonly CompletedCheckpoint[]> {
    if (this.closed) throw new Error('the completed checkpoint store is shut down');
    const last = this.retained.latest();
    if (last !== undefined && checkpoint.checkpointId <= last.checkpointId) {
      throw new Error(`checkpoint ${checkpoint.checkpointId} is not newer than the latest completed checkpoint ${last.checkpointId}`);
    }
    const pointer: LatestCheckpointPointer = {
      checkpointId: checkpoint.checkpointId,
      location: { root: checkpoint.location.root, folder: checkpoint.location.folder },
      externalPath: checkpoint.externalPath,
      owned: checkpoint.owned,
    };
    await this.writePointer(pointer);
    return this.retained.add(checkpoint);
  }

  /**
   * Moves the pointer to `pointer`, fenced, and only forward: the write
   * requires the pointer's mod revision this store last saw, so a write of
   * an earlier `add` that timed out but reaches etcd late cannot overwrite a
   * newer pointer. On a conflict the pointer is read in the same transaction:
   * an older one (such a late write) is replaced, the same one is kept (a
   * new leader recording the checkpoint it recovered), a newer one refuses
   * the add.
   */
  private async writePointer(pointer: LatestCheckpointPointer): Promise<void> {
    const { client, fence, timeoutMs } = this.options;
    const operation = `write of the latest checkpoint pointer (checkpoint ${pointer.checkpointId}) of job ${this.jobId}`;
    const value = boundedValue(JSON.stringify(pointer), { jobId: this.jobId, key: this.pointerKey, what: 'latest checkpoint pointer' });
    let expected = this.pointerRevision;
    if (expected === undefined) {
      const read = await withEtcdDeadline(client.get(this.pointerKey).exec(), `read before ${operation}`, { timeoutMs });
      expected = read.kvs[0]?.mod_revision ?? '0';
    }
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await commitFenced(
        client,
        fence,
        {
          compares: [[this.pointerKey, 'Mod', '==', expected]],
          writes: [client.put(this.pointerKey).value(value)],
          readsOnConflict: [client.get(this.pointerKey)],
        },
        operation,
        { timeoutMs },
      );
      if (outcome.succeeded) {
        this.pointerRevision = outcome.revision;
        return;
      }
      const kv = rangeResult(outcome.responses, 0);
      const current = kv === undefined ? undefined : decodePointer(this.pointerKey, kv);
      if (current !== undefined && current.checkpointId >= pointer.checkpointId) {
        if (samePointer(current, pointer)) {
          this.pointerRevision = kv?.mod_revision;
          return;
        }
        throw new RivuletError(
          'ILLEGAL_STATE',
          `the latest checkpoint pointer of job ${this.jobId} names checkpoint ${current.checkpointId} already; checkpoint ${pointer.checkpointId} is not newer`,
        );
      }
      expected = kv?.mod_revision ?? '0';
      if (attempt >= CAS_MAX_ATTEMPTS) {
        throw new RivuletError('CLUSTER', `${operation} lost to concurrent writers ${attempt} times in a row; gave up`);
      }
    }
  }
}

function samePointer(a: LatestCheckpointPointer, b: LatestCheckpointPointer): boolean {
  return (
    a.checkpointId === b.checkpointId &&
    a.location.root === b.location.root &&
    a.location.folder === b.location.folder &&
    a.externalPath === b.externalPath &&
    a.owned === b.owned
  );
}

function decodePointer(key: string, kv: KeyValue): LatestCheckpointPointer {
  let json: unknown;
  try {
    json = JSON.parse(kv.value.toString('utf8'));
  } catch (err) {
    throw new CorruptedHaRecordError(key, 'not JSON', { cause: err });
  }
  const parsed = pointerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptedHaRecordError(key, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Reads the `_metadata` the pointer names (checkpoint storage, or the
 * savepoint directory the job was restored from) and returns the completed
 * checkpoint a new leader restores from: owned as the pointer says. Rejects
 * with CheckpointMetadataError when the metadata is missing or corrupted, and
 * with a RivuletError (JOB) when it is another checkpoint's than the pointer's.
 */
export async function recoverLatestCheckpoint(pointer: LatestCheckpointPointer, storages: SnapshotStorages): Promise<CompletedCheckpoint> {
  const metadata = await readCheckpointMetadata(storageOf(storages, pointer.location), pointer.location.folder, pointer.externalPath);
  if (metadata.checkpointId !== pointer.checkpointId) {
    throw new RivuletError(
      'JOB',
      `the latest checkpoint pointer names checkpoint ${pointer.checkpointId} but ${pointer.externalPath} holds checkpoint ${metadata.checkpointId}`,
    );
  }
  return {
    checkpointId: pointer.checkpointId,
    kind: metadata.savepoint ? 'savepoint' : 'checkpoint',
    location: pointer.location,
    externalPath: pointer.externalPath,
    metadata,
    owned: pointer.owned,
  };
}
