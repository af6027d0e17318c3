/** The part of a job's details JSON the CLI reads (see jobmanager job-details.ts). */
export interface JobDetailsJson {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
  readonly duration: number;
  readonly vertices: ReadonlyArray<{ readonly name: string; readonly parallelism: number; readonly tasks: Record<string, number> }>;
  readonly exceptions: ReadonlyArray<{ readonly message: string; readonly task: string | null; readonly timestamp: number }>;
  readonly 'root-exception': string | null;
  readonly results?: Record<string, unknown[]>;
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
