/** What a simulator host is started with (RIVULET_SIMULATOR_OPTIONS, JSON). */
export interface SimulatorHostOptions {
  readonly jobManager: string;
  /** Resource ids are `<prefix>-<firstIndex + i>`. */
  readonly prefix: string;
  readonly firstIndex: number;
  readonly count: number;
  readonly slots: number;
  readonly stateBytesPerTask: number;
}

/** Parent -> host. */
export type SimulatorCommand =
  | { readonly kind: 'kill'; readonly resourceIds: readonly string[] }
  /** Checkpoint `checkpointId` of `jobId` was triggered on another host: acknowledge it for the tasks here. */
  | { readonly kind: 'checkpoint'; readonly jobId: string; readonly checkpointId: number }
  | { readonly kind: 'end-data'; readonly jobId: string }
  | { readonly kind: 'count-tasks'; readonly requestId: number }
  | { readonly kind: 'stop' };

/** Host -> parent. */
export type SimulatorEvent =
  | { readonly kind: 'ready'; readonly resourceIds: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'killed'; readonly resourceIds: readonly string[] }
  | { readonly kind: 'checkpoint-triggered'; readonly jobId: string; readonly checkpointId: number }
  | { readonly kind: 'task-count'; readonly requestId: number; readonly tasks: number };
