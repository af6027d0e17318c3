/** The part of a job's details JSON the CLI reads (see jobmanager job-details.ts). */
export interface JobDetailsJson {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
  readonly duration: number;
  readonly vertices: ReadonlyArray<{ readonly name: string; readonly parallelism: number; readonly tasks: Record<string, number> }>;
  readonly exceptions: ReadonlyArray<{ readonly message: string; readonly task: string | null; readonly timestamp: number }>;
  readonly restarts?: { readonly numRestarts: number; readonly 'restart-strategy': string; readonly 'failover-strategy': string };
  readonly 'root-exception': string | null;
  readonly results?: Record<string, unknown[]>;
  readonly checkpoints?: {
    readonly counts: Record<string, number>;
    readonly history?: ReadonlyArray<{
      readonly id: number;
      readonly status: string;
      readonly is_savepoint: boolean;
      readonly trigger_timestamp: number;
      readonly end_to_end_duration: number;
      readonly state_size: number;
      readonly failure_message?: string | null;
    }>;
  };
}

/** Recent checkpoints for `rivulet status`: id, status, duration, size, trigger time (newest first). */
export function describeCheckpoints(details: JobDetailsJson, limit = 5): string[] {
  const checkpoints = details.checkpoints;
  if (!checkpoints || (checkpoints.counts['total'] ?? 0) === 0) return [];
  const c = checkpoints.counts;
  const lines = [`Checkpoints: ${c['completed'] ?? 0} completed, ${c['failed'] ?? 0} failed, ${c['in_progress'] ?? 0} in progress`];
  for (const entry of (checkpoints.history ?? []).slice(0, limit)) {
    const kind = entry.is_savepoint ? 'savepoint' : 'checkpoint';
    const reason = entry.failure_message ? `  ${entry.failure_message}` : '';
    lines.push(`  ${kind} ${entry.id}  ${entry.status.padEnd(11)} ${String(entry.end_to_end_duration).padStart(6)} ms  ${String(entry.state_size).padStart(10)} B  ${new Date(entry.trigger_timestamp).toISOString()}${reason}`);
  }
  return lines;
}

/** One line of progress: job state and how many subtasks are in each state. */
export function describeProgress(details: JobDetailsJson): string {
  const totals: Record<string, number> = {};
  for (const vertex of details.vertices) {
    for (const [state, count] of Object.entries(vertex.tasks)) if (count > 0) totals[state] = (totals[state] ?? 0) + count;
  }
  const tasks = Object.entries(totals).map(([state, count]) => `${count} ${state.toLowerCase()}`).join(', ');
  return `${details.state.padEnd(10)} subtasks: ${tasks || 'none'}`;
}
