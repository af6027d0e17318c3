/**
 * What a subtask measured of one checkpoint, sent with its acknowledgement
 * (Flink's CheckpointMetrics, the part Rivulet measures).
 */
export interface SubtaskCheckpointMetrics {
  /**
   * Aligned checkpoints: from the first barrier of the checkpoint reaching
   * the subtask to the last (its channels blocked meanwhile); 0 at a source
   * and for a subtask with one input channel.
   */
  readonly alignmentDurationMs: number;
  /** From the trigger (the barrier's timestamp) to the first barrier reaching the subtask (at a source: the trigger taking effect). */
  readonly startDelayMs: number;
  /** Unaligned checkpoints: bytes of in-flight records (channel state) stored with the snapshot; absent or 0 otherwise. */
  readonly persistedDataBytes?: number;
}

export const NO_CHECKPOINT_METRICS: SubtaskCheckpointMetrics = { alignmentDurationMs: 0, startDelayMs: 0 };
