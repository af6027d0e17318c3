/**
 * What the JobManager tells a TaskManager to run: one subtask of one vertex
 * (an operator chain) of one job attempt, with where its inputs come from
 * and where its outputs go. Travels as JSON in DeployTaskRequest.descriptor.
 */
export type EdgePartitioning = 'forward' | 'rebalance' | 'hash' | 'broadcast' | 'rescale' | 'shuffle' | 'global' | 'custom';

export interface InputChannelLocation {
  readonly partitionId: string;
  readonly subpartitionIndex: number;
  /** 'local' when the producer runs in the receiving TaskManager, else its data address. */
  readonly location: 'local' | { readonly host: string; readonly port: number };
  /** The producer runs in the same slot (allocation) as the consumer: records stay in the slot's thread. */
  readonly sameSlot?: boolean;
}

export interface InputDescriptor {
  readonly sourceVertexId: string;
  readonly partitioning: EdgePartitioning;
  readonly channels: readonly InputChannelLocation[];
  /** 2 when the edge feeds the second input of the chain's two-input head (connect); absent: the first. */
  readonly input?: 2;
}

export interface OutputDescriptor {
  readonly targetVertexId: string;
  /** The operator at the head of the target vertex (its key selector routes 'hash'). */
  readonly targetOperatorId: string;
  readonly partitioning: EdgePartitioning;
  readonly partitionId: string;
  /**
   * The target subtasks this partition feeds, one subpartition each: every
   * target subtask, except on a pointwise edge ('forward': the subtask of the
   * same index; 'rescale': this producer's group, see pointwise-edges.ts).
   */
  readonly numberOfSubpartitions: number;
  /** For 'hash': key group -> target subtask index (the ring's assignment table). */
  readonly keyGroupOwners?: readonly number[];
  /** Subpartitions whose consumer runs in the same slot (allocation) as this producer. */
  readonly sameSlotSubpartitions?: readonly number[];
  /** Set when the edge carries a side output (OutputTag id) of the chain's last operator rather than its main output. */
  readonly sideOutput?: string;
  /**
   * 2 when the edge feeds the second input of the target's two-input head:
   * a 'hash' edge then routes by that input's key selector.
   */
  readonly targetInput?: 2;
}

export interface ChainedOperator {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly variant: string;
  readonly keyed: boolean;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface TaskDeploymentDescriptor {
  readonly jobId: string;
  readonly jobName: string;
  /** Job attempt: increases with every restart of the job (or of a region). */
  readonly attempt: number;
  readonly executionAttemptId: string;
  readonly vertexId: string;
  readonly vertexName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Compile options, so the TaskManager rebuilds exactly the graph the JobManager has. */
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  /** The job's arguments: part of the compile options. */
  readonly args: readonly string[];
  /** Operator ids of the chain, head first. */
  readonly operatorIds: readonly string[];
  /**
   * The chain's operators as submitted (the CLI resolved relative paths in
   * their params against its working directory). A TaskManager takes params
   * from here and only the functions from its own build of the bundle.
   */
  readonly operators: readonly ChainedOperator[];
  readonly inputs: readonly InputDescriptor[];
  readonly outputs: readonly OutputDescriptor[];
  /** Key groups this subtask owns when the chain head is keyed; empty otherwise. */
  readonly keyGroups: readonly number[];
  readonly bundleSha256: string;
  /** Barrier handling of tasks with inputs (execution.checkpointing.mode). */
  readonly checkpointingMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /**
   * execution.checkpointing.unaligned.enabled (EXACTLY_ONCE only): barriers of
   * checkpoints overtake queued records, which are stored as channel state.
   * Savepoints stay aligned.
   */
  readonly unalignedCheckpoints?: boolean;
  /**
   * The job checkpoints periodically: when its input ends the task flushes,
   * sends end-of-data downstream and keeps running (taking checkpoints) until
   * the job's final checkpoint — one every task took after its data ended —
   * completes; only then do sinks commit the rest and the task finish. So
   * nothing is committed that a restore from the latest checkpoint would
   * emit again (Flink's final checkpoint, FLIP-147). Absent or false: the
   * task finishes at the end of its input.
   */
  readonly finalCheckpoint?: boolean;
  /**
   * pipeline.object-reuse (the job's setting, from its graph): operators
   * hand records on without copying them; absent or false, the runtime
   * copies a record wherever it keeps or shares one (docs/datastream-api.md).
   */
  readonly objectReuse?: boolean;
  /** pipeline.auto-watermark-interval in ms (the job's setting, from its graph); absent: 200. */
  readonly autoWatermarkIntervalMs?: number;
  /** Set when the subtask starts from a checkpoint or savepoint. */
  readonly restore?: TaskRestore;
}

/** A key group's bytes: a range of a file relative to the snapshot folder, or (rootRelative) to the checkpoint storage root. */
export interface RestoredHandle {
  readonly keyGroup: number;
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  readonly rootRelative?: boolean;
}

/** A range of a file relative to the snapshot folder holding a subtask's in-flight records. */
export interface RestoredChannelState {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
}

/** The state a subtask starts from, planned by the JobManager from a snapshot's metadata. */
export interface TaskRestore {
  readonly checkpointId: number;
  /** Storage root URI of the snapshot (the checkpoint dir or a savepoint dir). */
  readonly storageUri: string;
  /** The snapshot's folder under that root; handle paths are relative to it. */
  readonly folder: string;
  readonly operators: ReadonlyArray<{
    readonly operatorId: string;
    readonly keyedState: ReadonlyArray<RestoredHandle>;
    readonly timers: ReadonlyArray<RestoredHandle>;
    /** Operator state of the old subtasks mapped to this one (old subtask k -> new k mod p). */
    readonly operatorStates: readonly unknown[];
    /** Unaligned checkpoints: this subtask's in-flight records, on its chain's head operator. */
    readonly channelState?: RestoredChannelState;
  }>;
}

/** The result partition of one producer attempt: a restarted producer writes a new partition, so a consumer never reads an old attempt's. */
export function partitionIdOf(jobId: string, attempt: number, producerVertexId: string, targetVertexId: string, subtaskIndex: number): string {
  return `${jobId}/${attempt}/${producerVertexId}>${targetVertexId}/${subtaskIndex}`;
}
