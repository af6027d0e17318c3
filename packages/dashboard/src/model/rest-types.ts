/**
 * The JobManager's REST responses as the dashboard reads them (docs/rest-api.md).
 * Only the fields the dashboard uses are typed; every endpoint may carry more.
 * Keys are the REST API's own (Flink's kebab-case where Flink has the endpoint).
 */

export type JobState =
  | 'CREATED' | 'RUNNING' | 'FAILING' | 'RESTARTING' | 'CANCELLING'
  | 'CANCELED' | 'FINISHED' | 'FAILED' | 'SUSPENDED' | 'RECONCILING' | 'INITIALIZING';

export type TaskState =
  | 'CREATED' | 'SCHEDULED' | 'DEPLOYING' | 'INITIALIZING' | 'RUNNING'
  | 'FINISHED' | 'CANCELING' | 'CANCELED' | 'FAILED';

/** `GET /overview`. */
export interface OverviewResponse {
  readonly taskmanagers: number;
  readonly 'slots-total': number;
  readonly 'slots-available': number;
  readonly 'jobs-running': number;
  readonly 'jobs-finished': number;
  readonly 'jobs-cancelled': number;
  readonly 'jobs-failed': number;
}

export interface JobManagerEntry {
  readonly 'rpc-address': string;
  /** host:port of its REST port (and dashboard); null when it did not publish one. */
  readonly 'rest-address': string | null;
  readonly leader: boolean;
}

/** `GET /jobmanagers`: who leads, who stands by, and what the answering JobManager is. */
export interface JobManagersResponse {
  readonly 'high-availability': string;
  readonly self: JobManagerEntry & { readonly 'start-time': number; readonly 'leader-since': number | null };
  readonly leader: JobManagerEntry | null;
  readonly jobmanagers: readonly JobManagerEntry[];
  readonly timestamp: number;
}

/** One row of `GET /taskmanagers`. */
export interface TaskManagerRow {
  readonly id: string;
  readonly path: string;
  readonly dataPort: number;
  readonly httpPort: number;
  readonly timeSinceLastHeartbeat: number;
  readonly slotsNumber: number;
  readonly freeSlots: number;
}

export interface TaskManagersResponse {
  readonly taskmanagers: readonly TaskManagerRow[];
}

/** One job of `GET /jobs/overview` (Flink's JobDetails). */
export interface JobOverviewRow {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly 'last-modification': number;
  readonly parallelism: number;
  readonly tasks: Readonly<Record<string, number>>;
}

export interface JobsOverviewResponse {
  readonly jobs: readonly JobOverviewRow[];
}

export interface JobFailureJson {
  readonly timestamp: number;
  readonly message: string;
  readonly task: string | null;
  readonly location: string | null;
  readonly cause: string;
}

/** `GET /jobs/:id`. */
export interface JobDetailsResponse {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly timestamps: Readonly<Record<string, number>>;
  readonly vertices: readonly {
    readonly id: string;
    readonly name: string;
    readonly parallelism: number;
    readonly tasks: Readonly<Record<string, number>>;
  }[];
  readonly restarts: { readonly numRestarts: number; readonly 'restart-strategy': string; readonly 'failover-strategy': string };
}

export interface PlanInput {
  readonly id: string;
  /** Flink's name of the partitioning: FORWARD, HASH, REBALANCE, BROADCAST, RESCALE, SHUFFLE, GLOBAL, CUSTOM. */
  readonly ship_strategy: string;
  /** The OutputTag id when the edge carries a side output. */
  readonly 'side-output'?: string;
  /** 2 when the edge feeds the second input of a two-input operator. */
  readonly input?: number;
}

export interface PlanNode {
  readonly id: string;
  readonly description: string;
  readonly parallelism: number;
  /** The names of the operators chained into this vertex, head first. */
  readonly operators: readonly string[];
  readonly keyed: boolean;
  readonly source: boolean;
  readonly inputs: readonly PlanInput[];
}

/** `GET /jobs/:id/plan`. */
export interface JobPlanResponse {
  readonly jid: string;
  readonly name: string;
  readonly plan: { readonly nodes: readonly PlanNode[] };
}

/** Per-task figures the TaskManagers sampled (about every second). */
export interface TaskFigures {
  readonly 'records-in': number;
  readonly 'records-out': number;
  readonly 'records-in-per-second': number;
  readonly 'records-out-per-second': number;
  /** Bytes of serialized batches from and to other slots and TaskManagers (absent from a TaskManager of an older version). */
  readonly 'bytes-in'?: number;
  readonly 'bytes-out'?: number;
  readonly 'bytes-in-per-second'?: number;
  readonly 'bytes-out-per-second'?: number;
  readonly 'busy-time-ms-per-second': number;
  readonly 'idle-time-ms-per-second': number;
  readonly 'backpressured-time-ms-per-second': number;
  /** ms since the epoch; null: no watermark yet; 9007199254740991: the input ended. */
  readonly 'input-watermark': number | null;
  readonly 'output-watermark': number | null;
}

export interface SubtaskMetricsJson {
  readonly subtask: number;
  readonly attempt: number;
  readonly state: TaskState;
  readonly taskmanager: string | null;
  readonly host: string | null;
  readonly 'start-time': number | null;
  /** null: no sample from its TaskManager (not running, or the TaskManager did not answer). */
  readonly metrics: (TaskFigures & { readonly 'age-ms': number }) | null;
}

export interface VertexMetricsJson {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  /** Sums (records, rates), maxima (busy, backpressured), average (idle), minima (watermarks) over reporting subtasks. */
  readonly metrics: (TaskFigures & { readonly 'reporting-subtasks': number }) | null;
  /** Left out with `?subtasks=false`. */
  readonly subtasks: readonly SubtaskMetricsJson[];
}

/** `GET /jobs/:id/task-metrics`. */
export interface JobTaskMetricsResponse {
  readonly jid: string;
  readonly timestamp: number;
  readonly vertices: readonly VertexMetricsJson[];
}

export interface CheckpointEntryJson {
  readonly id: number;
  readonly status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly is_savepoint: boolean;
  readonly checkpoint_type: string;
  readonly trigger_timestamp: number;
  readonly latest_ack_timestamp: number;
  readonly state_size: number;
  readonly end_to_end_duration: number;
  readonly num_subtasks: number;
  readonly num_acknowledged_subtasks: number;
  /** The longest barrier alignment and start delay of the subtasks that acknowledged, ms (absent from a JobManager of an older version). */
  readonly alignment_duration?: number;
  /** Unaligned checkpoints: bytes of in-flight data the subtasks stored. */
  readonly persisted_data?: number;
  readonly start_delay?: number;
  readonly external_path?: string | null;
  readonly discarded?: boolean;
  readonly failure_timestamp?: number;
  readonly failure_message?: string | null;
}

/** `GET /jobs/:id/checkpoints`. */
export interface CheckpointsResponse {
  readonly counts: { readonly restored: number; readonly total: number; readonly in_progress: number; readonly completed: number; readonly failed: number };
  readonly summary: {
    readonly state_size: { readonly min: number; readonly max: number; readonly avg: number };
    readonly end_to_end_duration: { readonly min: number; readonly max: number; readonly avg: number };
  };
  readonly latest: {
    readonly completed: CheckpointEntryJson | null;
    readonly savepoint: CheckpointEntryJson | null;
    readonly failed: CheckpointEntryJson | null;
    readonly restored: { readonly id: number; readonly restore_timestamp: number; readonly is_savepoint: boolean; readonly external_path: string } | null;
  };
  readonly history: readonly CheckpointEntryJson[];
}

export interface ExceptionEntryJson {
  readonly exceptionName: string;
  readonly stacktrace: string;
  readonly timestamp: number;
  readonly taskName: string | null;
  readonly location: string | null;
  readonly cause?: string;
}

/** `GET /jobs/:id/exceptions`. */
export interface ExceptionsResponse {
  readonly 'root-exception': string | null;
  readonly timestamp: number | null;
  readonly exceptionHistory: { readonly entries: readonly ExceptionEntryJson[]; readonly truncated: boolean };
}

/** `GET /jobs/:id/config`. */
export interface JobConfigResponse {
  readonly jid: string;
  readonly name: string;
  readonly 'execution-config': Readonly<Record<string, unknown>>;
}

export interface TaskManagerSample {
  /** ms since the epoch. */
  readonly t: number;
  /** Cores the process used over the second before `t` (1 = one core busy). */
  readonly cpu: number;
  readonly 'heap-used': number;
  readonly 'heap-total': number;
  readonly rss: number;
  readonly 'event-loop-delay-p99-ms': number;
  readonly 'event-loop-delay-max-ms': number;
  readonly 'input-queue': number;
  readonly 'output-queue': number;
  readonly 'bytes-in-per-second': number;
  readonly 'bytes-out-per-second': number;
}

/** `GET /taskmanagers/:id`. */
export interface TaskManagerDetailResponse {
  readonly id: string;
  readonly path: string;
  readonly dataPort: number;
  readonly httpPort: number;
  readonly 'registered-at': number;
  readonly timeSinceLastHeartbeat: number;
  readonly slotsNumber: number;
  readonly freeSlots: number;
  readonly slots: readonly { readonly index: number; readonly 'job-id': string | null; readonly 'allocation-id': string | null }[];
  readonly tasks: readonly {
    readonly 'job-id': string;
    readonly 'job-name': string;
    readonly 'vertex-id': string;
    readonly 'vertex-name': string;
    readonly subtask: number;
    readonly attempt: number;
    readonly state: TaskState;
  }[];
  /** What the TaskManager reported when asked (null: it did not answer in time). */
  readonly status: {
    readonly timestamp: number;
    readonly 'heartbeat-send-delay-ms': number | null;
    readonly network: { readonly connections: number; readonly 'bytes-in': number; readonly 'bytes-out': number };
    readonly history: readonly TaskManagerSample[];
  } | null;
}

/** `POST /jobs/:id/savepoints` and `POST /jobs/:id/stop`. */
export interface TriggerResponse {
  readonly 'request-id': string;
}

/** `GET /jobs/:id/savepoints/:requestId`. */
export interface SavepointStatusResponse {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  readonly operation?: { readonly location?: string; readonly 'failure-cause'?: { readonly 'stack-trace': string } };
}
