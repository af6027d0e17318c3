import { useEffect, useMemo, useState } from 'preact/hooks';
import type { layoutGraph, PlacedVertex } from '../../model/graph-layout.js';
import type { JobGraphModel } from '../../model/job-graph-model.js';

function loadFill(vertex: PlacedVertex['vertex']): string {
  const { load } = vertex;
  // Flink's palette: backpressured towards black, busy towards red, idle blue.
  switch (load.kind) {
    case 'backpressured':
      return `hsl(0 0% ${Math.round(45 - load.level * 30)}%)`;
    case 'busy':
      return `hsl(${Math.round(40 - load.level * 40)} ${Math.round(55 + load.level * 35)}% ${Math.round(62 - load.level * 18)}%)`;
    case 'idle':
      return 'hsl(210 55% 58%)';
    default:
      return 'var(--vertex-unknown)';
  }
}

let layoutModule: Promise<typeof import('../../model/graph-layout.js')> | undefined;

/**
 * Loads the layout code (dagre, a chunk of its own) once. A job page calls it
 * when it opens, so the chunk arrives while the job's plan and figures are on
 * their way instead of after them (it was a waterfall of ~20–100 ms).
 */
export function preloadGraphLayout(): Promise<typeof import('../../model/graph-layout.js')> {
  layoutModule ??= import('../../model/graph-layout.js');
  return layoutModule;
}

/**
 * The job's dataflow as a DAG: a box per vertex (chain) coloured by how
 * busy or backpressured it is, labelled with its records in/out per
 * second and watermark; edges labelled with their partitioning. The
 * layout depends only on the graph's shape (computed once per plan).
 * A vertex is a link (keyboard: Tab, Enter) to its subtasks.
 */
export function JobGraph({ model, subtasksHref }: { model: JobGraphModel; subtasksHref: (vertexId: string) => string }) {
  const shape = model.vertices.map((v) => `${v.id}:${v.operators.length}:${v.watermark === null ? 0 : 1}`).join(',') + '|' + model.edges.map((e) => `${e.from}>${e.to}`).join(',');
  // The layout code (dagre) is loaded with the first graph: other pages do not pay for it.
  const [layoutOf, setLayoutOf] = useState<typeof layoutGraph | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    void preloadGraphLayout().then((module) => {
      if (!cancelled) setLayoutOf(() => module.layoutGraph);
    });
    return () => {
      cancelled = true;
    };
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const layout = useMemo(() => layoutOf?.(model.vertices, model.edges), [shape, layoutOf]);
  const byId = new Map(model.vertices.map((v) => [v.id, v] as const));
  const live = layout !== undefined && model.vertices.some((v) => v.load.kind !== 'unknown');
  useEffect(() => {
    // bench/dashboard reads when the graph first showed live figures.
    if (live && performance.getEntriesByName('rivulet:graph-live').length === 0) requestAnimationFrame(() => performance.mark('rivulet:graph-live'));
  }, [live]);
  if (!layout) return <p class="note" role="status">Drawing the graph…</p>;
  return (
    <div class="graph-scroll">
      <svg class="job-graph" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label="Dataflow graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="edge-arrow" />
          </marker>
        </defs>
        {layout.edges.map((placed, i) => (
          <g key={`e${i}`} class="edge">
            <polyline points={placed.points.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" class="edge-line" marker-end="url(#arrow)" />
            <text x={placed.labelX} y={placed.labelY + 4} text-anchor="middle" class="edge-label">{placed.edge.label}</text>
          </g>
        ))}
        {layout.vertices.map((placed) => {
          const vertex = byId.get(placed.vertex.id) ?? placed.vertex;
          const dark = vertex.load.kind === 'backpressured' || (vertex.load.kind === 'busy' && vertex.load.level > 0.55);
          let line = placed.y + 20;
          const next = (step = 16): number => (line += step);
          return (
            <a key={vertex.id} href={subtasksHref(vertex.id)} class="vertex-link" aria-label={`${vertex.name}, parallelism ${vertex.parallelism}, records in ${vertex.recordsIn}, out ${vertex.recordsOut}, busy ${vertex.busy}, backpressured ${vertex.backpressured}`}>
              <g class={`vertex vertex-${vertex.load.kind}${dark ? ' vertex-dark' : ''}`} data-vertex-id={vertex.id} data-load={vertex.load.kind}>
                <rect x={placed.x} y={placed.y} width={placed.width} height={placed.height} rx="8" fill={loadFill(vertex)} class="vertex-box" />
                <text x={placed.x + 10} y={line} class="vertex-title">{truncate(vertex.operators[0] ?? vertex.name, 30)}</text>
                {vertex.operators.slice(1, 5).map((op) => <text key={op} x={placed.x + 16} y={next(14)} class="vertex-chained">↳ {truncate(op, 30)}</text>)}
                {vertex.operators.length > 5 ? <text x={placed.x + 16} y={next(14)} class="vertex-chained">… {vertex.operators.length - 5} more chained</text> : null}
                <text x={placed.x + 10} y={next(20)} class="vertex-figure">Parallelism {vertex.parallelism}{vertex.chained ? ` · chain of ${vertex.operators.length}` : ''}</text>
                <text x={placed.x + 10} y={next()} class="vertex-figure" data-role="records">In {vertex.recordsIn} · Out {vertex.recordsOut}</text>
                <text x={placed.x + 10} y={next()} class="vertex-figure">Busy {vertex.busy} · Backpressured {vertex.backpressured}</text>
                {vertex.watermark !== null ? <text x={placed.x + 10} y={next()} class="vertex-figure">Watermark {vertex.watermark}</text> : null}
              </g>
            </a>
          );
        })}
      </svg>
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
