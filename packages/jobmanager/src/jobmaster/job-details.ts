import type { JobMaster } from './job-master.js';

export interface JobFailure {
  readonly timestamp: number;
  readonly message: string;
  /** "vertex name (subtask/parallelism)", or null for a job-level failure. */
  readonly task: string | null;
  /** The TaskManager the failed task ran on, when known. */
  readonly location: string | null;
  /** What kind of failure (task, taskmanager-lost, deploy, checkpointing, slots). */
  readonly cause: string;
}

/**
 * The JSON of `GET /jobs/:id` and `rivulet status --output json`, in Flink's
 * shape where Flink has the field (`jid`, `name`, `state`, `start-time`,
 * `end-time`, `duration`, `vertices`, `timestamps`), plus `exceptions` (the
 * failure history, newest last) and `results` (what collect sinks gathered).
 */
export function jobDetailsJson(master: JobMaster, now: number): Record<string, unknown> {
  const start = master.statusTimestamps.CREATED ?? now;
  const end = master.statusTimestamps.FINISHED ?? master.statusTimestamps.FAILED ?? master.statusTimestamps.CANCELED ?? master.statusTimestamps.SUSPENDED;
  const results: Record<string, unknown[]> = {};
  const finished = [...master.graph.executions].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  for (const execution of finished) {
    for (const [name, records] of Object.entries(execution.result ?? {})) {
      (results[name] ??= []).push(...records);
    }
  }
  return {
    jid: master.jobId,
    name: master.name,
    state: master.status,
    'start-time': start,
    'end-time': end ?? -1,
    duration: (end ?? now) - start,
    timestamps: master.statusTimestamps,
    vertices: master.graph.vertices.vertices.map((vertex) => ({
      id: vertex.id,
      name: vertex.name,
      parallelism: vertex.parallelism,
      operators: vertex.operatorIds,
      tasks: master.graph.countByState(vertex.id),
      subtasks: master.graph.executions
        .filter((e) => e.vertex.id === vertex.id)
        .map((e) => ({ subtask: e.subtaskIndex, state: e.state, taskmanager: e.slot?.resourceId ?? null, attempt: e.attemptId })),
    })),
    exceptions: master.exceptions,
    'root-exception': master.exceptions.at(-1)?.message ?? null,
    restarts: {
      numRestarts: master.availability.numRestarts,
      'restart-strategy': master.options.failover.restartStrategy.description,
      'failover-strategy': master.options.failover.strategy,
    },
    results,
    checkpoints: master.checkpointing.coordinator.statistics.toJSON(),
  };
}
