import {
  NO_CHECKPOINT_METRICS,
  SUBTASK_STATE_FORMAT,
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
  type SubtaskCheckpointMetrics,
  type TaskDeploymentDescriptor,
} from '@rivulet/common/task-runtime';
import type { BarrierInfo } from './barrier-aligner.js';
import type { CheckpointResponder, LocalStateAccess, OperatorSnapshotParts, TaskCheckpointing } from './task-checkpointing.js';
import { StateFileWriter, type PieceHandle } from './state-file-writer.js';
import { stateFileLocation } from './state-file-location.js';

/** Longest stretch of encoding before the persister lets other work run. */
const ENCODE_SLICE_MS = 10;

/**
 * Uploads a subtask's snapshot to checkpoint storage and acknowledges it.
 *
 * Per operator and subtask, files `<snapshot folder>/<operator>/<subtask>/state-<i>`
 * (the folder is `<job>/chk-<n>` in checkpoint storage, or a savepoint's)
 * of about 8 MB each: the keyed state of every key group that holds state,
 * then the timers, each a byte range the handles point at (paths relative to
 * the checkpoint folder), so a restore fetches exactly the groups a subtask
 * now owns. Key groups are serialized one at a time from the snapshot taken
 * at the barrier, yielding to the task every few milliseconds, and a file is
 * uploaded while the next one is filled (state-file-writer.ts).
 * Operator state travels inline in the acknowledgement. The acknowledgement
 * is sent only after the file is durable; any failure declines instead.
 * With local recovery, each file of a checkpoint (not of a savepoint) is also
 * handed to the TaskManager's local store, which writes its copy alongside
 * and never fails or holds up the checkpoint (local-state-store.ts).
 */
export class CheckpointPersister implements TaskCheckpointing {
  private lastYield = 0;

  constructor(
    private readonly storage: (root: string | null) => CheckpointStorage,
    private readonly responder: CheckpointResponder,
    private readonly log: Logger,
    private readonly local?: LocalStateAccess,
  ) {}

  async persist(
    descriptor: TaskDeploymentDescriptor,
    barrier: BarrierInfo,
    parts: readonly OperatorSnapshotParts[],
    location: SnapshotLocation | undefined,
    endOfData = false,
    metrics: SubtaskCheckpointMetrics = NO_CHECKPOINT_METRICS,
  ): Promise<void> {
    let encoded: Uint8Array;
    try {
      const storage = this.storage(location?.root ?? null);
      const folder = location?.folder ?? checkpointFolderOf(descriptor.jobId, barrier.checkpointId);
      // Entropy only for checkpoints in checkpoint storage: a savepoint stays one self-contained folder.
      const entropy = (location?.root ?? null) === null && storage.entropyKey !== null
        ? { jobId: descriptor.jobId, checkpointId: barrier.checkpointId, key: storage.entropyKey }
        : undefined;
      // Checkpoints only: a savepoint is restored from only by a new submission, never kept locally.
      const local = (location?.root ?? null) === null && !barrier.savepoint && this.local
        ? { store: this.local, jobId: descriptor.jobId, checkpointId: barrier.checkpointId }
        : undefined;
      const operators: OperatorSubtaskState[] = [];
      let persistedDataBytes = 0;
      const started = performance.now();
      const timing = { encodeMs: 0, files: 0, waitMs: 0, yieldMs: 0 };
      for (const part of parts) operators.push(await this.upload(storage, folder, descriptor.subtaskIndex, part, entropy, local, timing));
      for (const [i, part] of parts.entries()) {
        if (part.channelState === undefined) continue;
        const { bytes, dataBytes } = await part.channelState;
        persistedDataBytes += dataBytes;
        // One file beside the operator's state files, in the snapshot folder (no entropy, no local copy).
        const path = `${subtaskStateFolderOf(part.operatorId, descriptor.subtaskIndex)}/channel-state`;
        await storage.put(folder === '' ? path : `${folder}/${path}`, bytes);
        const state = operators[i]!;
        operators[i] = { ...state, stateSize: state.stateSize + bytes.length, channelState: { path, offset: 0, length: bytes.length } };
      }
      encoded = encodeSubtaskStateSnapshot({ format: SUBTASK_STATE_FORMAT, operators });
      this.log.debug({
        jobId: descriptor.jobId,
        checkpointId: barrier.checkpointId,
        subtask: `${descriptor.vertexName} (${descriptor.subtaskIndex + 1}/${descriptor.parallelism})`,
        stateBytes: operators.reduce((n, o) => n + o.stateSize, 0),
        files: timing.files,
        encodeMs: Math.round(timing.encodeMs),
        uploadWaitMs: Math.round(timing.waitMs),
        yieldMs: Math.round(timing.yieldMs),
        asyncMs: Math.round(performance.now() - started),
        ...(persistedDataBytes > 0 ? { persistedDataBytes } : {}),
      }, 'snapshot written');
      if (persistedDataBytes > 0) metrics = { ...metrics, persistedDataBytes };
    } catch (err) {
      for (const part of parts) {
        part.keyedState?.release();
        part.timers?.release();
      }
      await this.decline(descriptor, barrier.checkpointId, `could not write the state of ${descriptor.vertexName} (${descriptor.subtaskIndex + 1}/${descriptor.parallelism}): ${errorMessage(err)}`);
      return;
    }
    await this.responder.acknowledge(descriptor, barrier.checkpointId, encoded, endOfData, metrics);
  }

  async decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string, taskClosing = false): Promise<void> {
    if (taskClosing) this.log.info({ jobId: descriptor.jobId, checkpointId, reason }, 'declining checkpoint: the task is finishing');
    else this.log.warn({ jobId: descriptor.jobId, checkpointId, reason }, 'declining checkpoint');
    await this.responder.decline(descriptor, checkpointId, reason, taskClosing);
  }

  private async upload(
    storage: CheckpointStorage,
    folder: string,
    subtaskIndex: number,
    part: OperatorSnapshotParts,
    entropy: { jobId: string; checkpointId: number; key: string } | undefined,
    local: { store: LocalStateAccess; jobId: string; checkpointId: number } | undefined,
    timing: { encodeMs: number; files: number; waitMs: number; yieldMs: number },
  ): Promise<OperatorSubtaskState> {
    const relative = `${subtaskStateFolderOf(part.operatorId, subtaskIndex)}/state`;
    const writer = new StateFileWriter(async (index, bytes) => {
      const written = entropy
        // `put` replaces the marker with random characters; handles record the path it wrote.
        ? storage.put(`${subtaskStatePath(entropy.jobId, entropy.checkpointId, part.operatorId, subtaskIndex, entropy.key)}-${index}`, bytes, { entropy: true })
        : storage.put(folder === '' ? `${relative}-${index}` : `${folder}/${relative}-${index}`, bytes).then(() => `${relative}-${index}`);
      local?.store.keep(
        { jobId: local.jobId, checkpointId: local.checkpointId, operatorId: part.operatorId, subtaskIndex, fileIndex: index },
        bytes,
        written.then((path) => stateFileLocation(storage, folder, path, entropy !== undefined)),
      );
      return written;
    });
    const pieces: { keyGroup: number; timers: boolean; piece: PieceHandle }[] = [];
    try {
      for (const [snapshot, timers] of [[part.keyedState, false], [part.timers, true]] as const) {
        for (const keyGroup of snapshot?.keyGroups ?? []) {
          const yieldStarted = performance.now();
          await this.yieldIfBusy();
          const encodeStarted = performance.now();
          const bytes = snapshot!.encode(keyGroup);
          const appendStarted = performance.now();
          const piece = await writer.append(bytes);
          timing.yieldMs += encodeStarted - yieldStarted;
          timing.encodeMs += appendStarted - encodeStarted;
          timing.waitMs += performance.now() - appendStarted;
          pieces.push({ keyGroup, timers, piece });
        }
      }
      const finishStarted = performance.now();
      const paths = await writer.finish();
      timing.waitMs += performance.now() - finishStarted;
      timing.files += paths.length;
      const handlesOf = (timers: boolean): KeyGroupStateHandle[] =>
        pieces.filter((p) => p.timers === timers).map(({ keyGroup, piece }) => ({
          keyGroup,
          path: paths[piece.file]!,
          offset: piece.offset,
          length: piece.length,
          ...(entropy ? { rootRelative: true } : {}),
        }));
      const operatorState = (part.operatorState ?? null) as JsonValue;
      return {
        operatorId: part.operatorId,
        keyedState: handlesOf(false),
        timers: handlesOf(true),
        operatorState,
        stateSize: writer.bytes + (operatorState === null ? 0 : JSON.stringify(operatorState).length),
      };
    } catch (err) {
      await writer.abandon();
      throw err;
    } finally {
      part.keyedState?.release();
      part.timers?.release();
    }
  }

  /** Lets the task (and heartbeats) run between key groups once encoding has had the loop for a while. */
  private async yieldIfBusy(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < ENCODE_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }
}
