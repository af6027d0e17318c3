import { formatPercent, formatRecordRate, formatWatermark } from './format.js';
import type { JobPlanResponse, JobTaskMetricsResponse, TaskFigures } from './rest-types.js';

/**
 * What a vertex's colour says, as in Flink's job graph: backpressured
 * (waits for room downstream), busy (processing), or idle (waits for
 * input); `level` 0..1 is how much. `unknown`: no figures from any subtask.
 */
export type VertexLoad =
  | { readonly kind: 'busy' | 'backpressured' | 'idle'; readonly level: number }
  | { readonly kind: 'unknown'; readonly level: 0 };

export interface GraphVertex {
  readonly id: string;
  readonly name: string;
  /** The chained operators, head first; more than one: a chain. */
  readonly operators: readonly string[];
  readonly chained: boolean;
  readonly parallelism: number;
  readonly load: VertexLoad;
  readonly busy: string;
  readonly backpressured: string;
  readonly recordsIn: string;
  readonly recordsOut: string;
  /** Shown only where a watermark exists. */
  readonly watermark: string | null;
  /** "16/16 subtasks reporting"; less than all: some figures are missing. */
  readonly reporting: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** FORWARD, HASH, REBALANCE, … and "side output" / "input 2" where it applies. */
  readonly label: string;
}

export interface JobGraphModel {
  readonly vertices: readonly GraphVertex[];
  readonly edges: readonly GraphEdge[];
}

/** How loaded a task is from its busy and backpressured ms per second. */
export function vertexLoad(figures: Pick<TaskFigures, 'busy-time-ms-per-second' | 'backpressured-time-ms-per-second'> | null): VertexLoad {
  if (!figures) return { kind: 'unknown', level: 0 };
  const busy = clamp01(figures['busy-time-ms-per-second'] / 1000);
  const backpressured = clamp01(figures['backpressured-time-ms-per-second'] / 1000);
  if (backpressured >= 0.1 && backpressured >= busy) return { kind: 'backpressured', level: backpressured };
  if (busy >= 0.1) return { kind: 'busy', level: busy };
  return { kind: 'idle', level: 1 - Math.max(busy, backpressured) };
}

/** `/jobs/:id/plan` + `/jobs/:id/task-metrics` (when there are figures) -> the graph the job page draws. */
export function jobGraphModel(plan: JobPlanResponse, metrics: JobTaskMetricsResponse | undefined): JobGraphModel {
  const byVertex = new Map((metrics?.vertices ?? []).map((v) => [v.id, v] as const));
  const vertices = plan.plan.nodes.map((node): GraphVertex => {
    const vertex = byVertex.get(node.id);
    const figures = vertex?.metrics ?? null;
    const watermark = figures ? figures['input-watermark'] ?? figures['output-watermark'] : null;
    return {
      id: node.id,
      name: node.description,
      operators: node.operators,
      chained: node.operators.length > 1,
      parallelism: node.parallelism,
      load: vertexLoad(figures),
      busy: formatPercent(figures ? figures['busy-time-ms-per-second'] / 1000 : null),
      backpressured: formatPercent(figures ? figures['backpressured-time-ms-per-second'] / 1000 : null),
      recordsIn: node.source ? 'source' : formatRecordRate(figures?.['records-in-per-second']),
      recordsOut: node.inputs.length > 0 && isSink(plan, node.id) ? 'sink' : formatRecordRate(figures?.['records-out-per-second']),
      watermark: watermark === null ? null : formatWatermark(watermark),
      reporting: `${figures?.['reporting-subtasks'] ?? 0}/${node.parallelism} subtasks reporting`,
    };
  });
  return { vertices, edges: planEdges(plan) };
}

/** The plan's edges, each labelled with its partitioning (and side output / second input). */
export function planEdges(plan: JobPlanResponse): GraphEdge[] {
  return plan.plan.nodes.flatMap((node) =>
    node.inputs.map((input): GraphEdge => ({
      from: input.id,
      to: node.id,
      label: [input.ship_strategy, input['side-output'] ? 'side output' : '', input.input === 2 ? 'input 2' : ''].filter(Boolean).join(' · '),
    })),
  );
}

/** What the layout needs of a plan (its shape only: the layout worker has no figures). */
export function planShape(plan: JobPlanResponse): { vertices: { id: string; operators: readonly string[] }[]; edges: GraphEdge[] } {
  return { vertices: plan.plan.nodes.map((node) => ({ id: node.id, operators: node.operators })), edges: planEdges(plan) };
}

/** A vertex no other vertex reads from. */
function isSink(plan: JobPlanResponse, id: string): boolean {
  return !plan.plan.nodes.some((node) => node.inputs.some((input) => input.id === id));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
