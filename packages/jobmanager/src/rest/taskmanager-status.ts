/**
 * What a TaskManager answers on `GET /status` of its HTTP port
 * (taskmanager/src/control/status/): its tasks' latest samples and its
 * resources over the last minutes. The JobManager asks only while a
 * dashboard (or another REST client) asks it (Flink's MetricFetcher).
 */
export interface TaskSampleJson {
  readonly 'attempt-id': string;
  readonly 'records-in': number;
  readonly 'records-out': number;
  readonly 'records-in-per-second': number;
  readonly 'records-out-per-second': number;
  /** Bytes of serialized batches from and to other slots and TaskManagers (records within a slot count none). */
  readonly 'bytes-in': number;
  readonly 'bytes-out': number;
  readonly 'bytes-in-per-second': number;
  readonly 'bytes-out-per-second': number;
  readonly 'busy-time-ms-per-second': number;
  readonly 'idle-time-ms-per-second': number;
  readonly 'backpressured-time-ms-per-second': number;
  readonly 'input-watermark': number | null;
  readonly 'output-watermark': number | null;
  /** ms since the epoch when the slot's thread took the sample. */
  readonly 'sampled-at': number;
}

export interface TaskManagerSampleJson {
  readonly t: number;
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

export interface TaskManagerStatusJson {
  readonly 'resource-id': string;
  readonly timestamp: number;
  readonly tasks: readonly TaskSampleJson[];
  readonly 'heartbeat-send-delay-ms': number | null;
  readonly network: { readonly connections: number; readonly 'bytes-in': number; readonly 'bytes-out': number };
  readonly history: readonly TaskManagerSampleJson[];
}
