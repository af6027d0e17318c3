import type { JobMaster } from '../jobmaster/job-master.js';
import type { TaskSampleJson, TaskManagerStatusJson } from './taskmanager-status.js';

type Figures = Omit<TaskSampleJson, 'attempt-id' | 'sampled-at'>;

/**
 * The JSON of `GET /jobs/:id/task-metrics`: per vertex, every current
 * subtask (attempt number, state, TaskManager, start) with the figures its
 * TaskManager sampled for that very attempt (`null` when there is none: not
 * running, or its TaskManager did not answer), each with its `age-ms`; and
 * per vertex the figures over the subtasks that have them — records and
 * rates summed, busy and backpressured time the maximum (the slowest
 * subtask colours the vertex, as in Flink), idle time the average,
 * watermarks the minimum (null while any reporting subtask has none).
 * Without subtasks (`?subtasks=false`) only the vertices' figures.
 */
export function jobTaskMetricsJson(
  master: JobMaster,
  statusOf: (resourceId: string) => TaskManagerStatusJson | undefined,
  hostOf: (resourceId: string) => string | undefined,
  now: number,
  /** false: the vertices' figures only (what the job graph draws; 50 entries instead of 800 for a 50-vertex job at parallelism 16). */
  withSubtasks = true,
): Record<string, unknown> {
  const samples = new Map<string, TaskSampleJson>();
  const seen = new Set<string>();
  for (const execution of master.graph.executions) {
    const resourceId = execution.slot?.resourceId;
    if (resourceId === undefined || seen.has(resourceId)) continue;
    seen.add(resourceId);
    for (const task of statusOf(resourceId)?.tasks ?? []) samples.set(task['attempt-id'], task);
  }
  // The executions by vertex, in one pass (a 50-vertex job at parallelism 16 has 800: filtering them per vertex cost ~10 ms a request).
  const byVertex = new Map<string, (typeof master.graph.executions)[number][]>();
  for (const execution of master.graph.executions) {
    const list = byVertex.get(execution.vertex.id);
    if (list) list.push(execution);
    else byVertex.set(execution.vertex.id, [execution]);
  }
  return {
    jid: master.jobId,
    timestamp: now,
    vertices: master.graph.vertices.vertices.map((vertex) => {
      const executions = (byVertex.get(vertex.id) ?? []).sort((a, b) => a.subtaskIndex - b.subtaskIndex);
      if (!withSubtasks) {
        const reporting = executions.flatMap((e) => {
          const sample = samples.get(e.attemptId);
          return sample ? [sample] : [];
        });
        return { id: vertex.id, name: vertex.name, parallelism: vertex.parallelism, metrics: aggregate(reporting) };
      }
      const subtasks = executions.map((e) => {
        const sample = samples.get(e.attemptId);
        const resourceId = e.slot?.resourceId ?? null;
        return {
          subtask: e.subtaskIndex,
          attempt: e.attemptNumber,
          'attempt-id': e.attemptId,
          state: e.state,
          taskmanager: resourceId,
          host: resourceId === null ? null : (hostOf(resourceId) ?? null),
          'start-time': e.stateTimestamps.RUNNING ?? e.stateTimestamps.DEPLOYING ?? null,
          metrics: sample ? { ...figuresOf(sample), 'age-ms': Math.max(0, now - sample['sampled-at']) } : null,
        };
      });
      const reporting = subtasks.flatMap((s) => (s.metrics ? [s.metrics] : []));
      return { id: vertex.id, name: vertex.name, parallelism: vertex.parallelism, metrics: aggregate(reporting), subtasks };
    }),
  };
}

function figuresOf(sample: TaskSampleJson): Figures {
  const { 'attempt-id': _attempt, 'sampled-at': _at, ...figures } = sample;
  return figures;
}

function aggregate(figures: readonly Figures[]): (Figures & { 'reporting-subtasks': number }) | null {
  // (Samples carry their attempt id and time too; only the figures below are read.)
  if (figures.length === 0) return null;
  const sum = (key: keyof Figures): number => figures.reduce((total, f) => total + ((f[key] as number | null) ?? 0), 0);
  const max = (key: keyof Figures): number => Math.max(...figures.map((f) => (f[key] as number | null) ?? 0));
  const minWatermark = (key: 'input-watermark' | 'output-watermark'): number | null =>
    figures.some((f) => f[key] === null) ? null : Math.min(...figures.map((f) => f[key] as number));
  return {
    'records-in': sum('records-in'),
    'records-out': sum('records-out'),
    'records-in-per-second': sum('records-in-per-second'),
    'records-out-per-second': sum('records-out-per-second'),
    'bytes-in': sum('bytes-in'),
    'bytes-out': sum('bytes-out'),
    'bytes-in-per-second': sum('bytes-in-per-second'),
    'bytes-out-per-second': sum('bytes-out-per-second'),
    'busy-time-ms-per-second': max('busy-time-ms-per-second'),
    'idle-time-ms-per-second': Math.round(sum('idle-time-ms-per-second') / figures.length),
    'backpressured-time-ms-per-second': max('backpressured-time-ms-per-second'),
    'input-watermark': minWatermark('input-watermark'),
    'output-watermark': minWatermark('output-watermark'),
    'reporting-subtasks': figures.length,
  };
}
