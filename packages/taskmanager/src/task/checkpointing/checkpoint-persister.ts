import {
  SUBTASK_STATE_FORMAT,
  callUnary,
  checkpointFolderOf,
  encodeSubtaskStateSnapshot,
  errorMessage,
  subtaskStateFolderOf,
  subtaskStatePath,
  type CheckpointStorage,
  type JsonValue,
  type KeyGroupStateHandle,
  type Logger,
  type OperatorSubtaskState,
  type SnapshotLocation,
  type TaskDeploymentDescriptor,
} from '@rivulet/common';
import type { JobManagerConnection } from '../../registration/jobmanager-connection.js';
import type { BarrierInfo } from './barrier-aligner.js';
import type { OperatorSnapshotParts, TaskCheckpointing } from './task-checkpointing.js';

/**
 * Uploads a subtask's snapshot to checkpoint storage and acknowledges it.
 *
 * One file per operator and subtask, `<snapshot folder>/<operator>/<subtask>/state`
 * (the folder is `<job>/chk-<n>` in checkpoint storage, or a savepoint's):
 * the keyed state of every key group that holds state, then the timers, each
 * a byte range the handles point at (paths relative to the checkpoint
 * folder), so a restore fetches exactly the groups a subtask now owns.
 * Operator state travels inline in the acknowledgement. The acknowledgement
 * is sent only after the file is durable; any failure declines instead.
 */
export class CheckpointPersister implements TaskCheckpointing {
  constructor(
    private readonly storage: (root: string | null) => CheckpointStorage,
    private readonly connection: JobManagerConnection,
    private readonly log: Logger,
  ) {}

  async persist(
    descriptor: TaskDeploymentDescriptor,
    barrier: BarrierInfo,
    parts: readonly OperatorSnapshotParts[],
    location: SnapshotLocation | undefined,
  ): Promise<void> {
    let encoded: Uint8Array;
    try {
      const storage = this.storage(location?.root ?? null);
      const folder = location?.folder ?? checkpointFolderOf(descriptor.jobId, barrier.checkpointId);
      // Entropy only for checkpoints in checkpoint storage: a savepoint stays one self-contained folder.
      const entropy = (location?.root ?? null) === null && storage.entropyKey !== null
        ? { jobId: descriptor.jobId, checkpointId: barrier.checkpointId, key: storage.entropyKey }
        : undefined;
      const operators: OperatorSubtaskState[] = [];
      for (const part of parts) operators.push(await this.upload(storage, folder, descriptor.subtaskIndex, part, entropy));
      encoded = encodeSubtaskStateSnapshot({ format: SUBTASK_STATE_FORMAT, operators });
    } catch (err) {
      await this.decline(descriptor, barrier.checkpointId, `could not write the state of ${descriptor.vertexName} (${descriptor.subtaskIndex + 1}/${descriptor.parallelism}): ${errorMessage(err)}`);
      return;
    }
    await this.send(descriptor, 'AcknowledgeCheckpoint', barrier.checkpointId, { stateHandles: Buffer.from(encoded) });
  }

  async decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string): Promise<void> {
    this.log.warn({ jobId: descriptor.jobId, checkpointId, reason }, 'declining checkpoint');
    await this.send(descriptor, 'DeclineCheckpoint', checkpointId, { reason });
  }

  private async upload(
    storage: CheckpointStorage,
    folder: string,
    subtaskIndex: number,
    part: OperatorSnapshotParts,
    entropy: { jobId: string; checkpointId: number; key: string } | undefined,
  ): Promise<OperatorSubtaskState> {
    const relative = `${subtaskStateFolderOf(part.operatorId, subtaskIndex)}/state`;
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const handles = (groups: ReadonlyMap<number, Uint8Array> | undefined): KeyGroupStateHandle[] =>
      [...(groups ?? new Map<number, Uint8Array>())].sort(([a], [b]) => a - b).map(([keyGroup, bytes]) => {
        chunks.push(bytes);
        const handle = { keyGroup, path: relative, offset, length: bytes.length };
        offset += bytes.length;
        return handle;
      });
    let keyedState = handles(part.keyedState);
    let timers = handles(part.timers);
    if (offset > 0 && entropy) {
      // `put` replaces the marker with random characters; handles record the path it wrote.
      const written = await storage.put(subtaskStatePath(entropy.jobId, entropy.checkpointId, part.operatorId, subtaskIndex, entropy.key), Buffer.concat(chunks), { entropy: true });
      const rooted = (h: KeyGroupStateHandle): KeyGroupStateHandle => ({ ...h, path: written, rootRelative: true });
      keyedState = keyedState.map(rooted);
      timers = timers.map(rooted);
    } else if (offset > 0) {
      await storage.put(folder === '' ? relative : `${folder}/${relative}`, Buffer.concat(chunks));
    }
    const operatorState = (part.operatorState ?? null) as JsonValue;
    return {
      operatorId: part.operatorId,
      keyedState,
      timers,
      operatorState,
      stateSize: offset + (operatorState === null ? 0 : JSON.stringify(operatorState).length),
    };
  }

  private async send(
    descriptor: TaskDeploymentDescriptor,
    method: 'AcknowledgeCheckpoint' | 'DeclineCheckpoint',
    checkpointId: number,
    extra: { stateHandles: Buffer } | { reason: string },
  ): Promise<void> {
    const registration = this.connection.registration;
    if (!registration) {
      this.log.warn({ jobId: descriptor.jobId, checkpointId, method }, 'not registered: checkpoint message dropped (the checkpoint times out)');
      return;
    }
    try {
      await callUnary(registration.client, method, {
        registrationId: registration.registrationId,
        jobId: descriptor.jobId,
        executionAttemptId: descriptor.executionAttemptId,
        checkpointId,
        ...extra,
      } as never, { timeoutMs: 10_000, target: registration.target });
    } catch (err) {
      this.log.warn({ jobId: descriptor.jobId, checkpointId, method, err: errorMessage(err) }, 'could not send checkpoint message');
    }
  }
}
