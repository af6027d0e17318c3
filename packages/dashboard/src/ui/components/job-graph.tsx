import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { takeSettled } from '../../client/prefetch.js';
import { getJson } from '../../client/rest-client.js';
import { layoutKey, type GraphLayout } from '../../model/graph-shape.js';
import type { GraphVertex, JobGraphModel } from '../../model/job-graph-model.js';

function loadFill(vertex: GraphVertex): string {
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
 * Loads the layout code (dagre, a chunk of its own) once: only when the
 * JobManager's layout does not fit (the page does not pay for it otherwise).
 */
function loadGraphLayout(): Promise<typeof import('../../model/graph-layout.js')> {
  layoutModule ??= import('../../model/graph-layout.js');
  return layoutModule;
}

/** Lays the model's graph out on the page's thread (the layout code loaded on first use). */
async function layoutHere(model: JobGraphModel): Promise<GraphLayout> {
  const { layoutGraph } = await loadGraphLayout();
  const started = performance.now();
  const layout = layoutGraph(model.vertices, model.edges);
  performance.measure('rivulet:graph-layout', { start: started, end: performance.now() });
  return layout;
}

/**
 * The layout of the model's graph: the JobManager's (computed once per job,
 * `layoutPath`) when it is of this shape, else laid out here (the
 * JobManager could not, or the plan changed shape since). Asked again only
 * when the shape changes.
 */
function useGraphLayout(model: JobGraphModel, layoutPath: string): GraphLayout | Error | undefined {
  const key = layoutKey(model.vertices, model.edges);
  const [layout, setLayout] = useState<{ key: string; result: GraphLayout | Error } | undefined>(() => {
    // A page opened from its URL has the JobManager's layout at its first render (client/prefetch.ts).
    const settled = takeSettled<GraphLayout>(layoutPath);
    return settled?.key === key ? { key, result: settled } : undefined;
  });
  // A layout effect: the request leaves (or the prefetched answer is taken) as the graph first renders.
  useLayoutEffect(() => {
    if (layout?.key === key) return undefined;
    let cancelled = false;
    void (async () => {
      const served = await getJson<GraphLayout>(layoutPath).catch(() => undefined);
      let result: GraphLayout | Error;
      try {
        result = served?.key === key ? served : await layoutHere(model);
      } catch (err) {
        result = err instanceof Error ? err : new Error(String(err));
      }
      if (!cancelled) setLayout({ key, result });
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, layoutPath]);
  return layout?.key === key ? layout.result : undefined;
}

/** Where a large graph's first drawing stops: two screens from its top-left corner (it opens scrolled there). */
function firstDrawExtent(): { width: number; height: number } {
  return { width: 2 * window.innerWidth, height: 2 * window.innerHeight };
}

/**
 * False for the first frame a layout is drawn, then true: a large graph
 * (hundreds of boxes) first draws what is in view, so its live figures show
 * without waiting for boxes scrolled far off, and the rest a frame later.
 */
function useCompleteAfterFirstFrame(layoutKey: string | undefined): boolean {
  const [completeFor, setCompleteFor] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (layoutKey === undefined || completeFor === layoutKey) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setCompleteFor(layoutKey));
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [layoutKey, completeFor]);
  return layoutKey !== undefined && completeFor === layoutKey;
}

/**
 * The job's dataflow as a DAG: a box per vertex (chain) coloured by how
 * busy or backpressured it is, labelled with its records in/out per
 * second and watermark; edges labelled with their partitioning. The
 * layout depends only on the graph's shape.
 * A vertex is a link (keyboard: Tab, Enter) to its subtasks.
 */
export function JobGraph({ model, layoutPath, subtasksHref }: { model: JobGraphModel; layoutPath: string; subtasksHref: (vertexId: string) => string }) {
  const laidOut = useGraphLayout(model, layoutPath);
  const layout = laidOut instanceof Error ? undefined : laidOut;
  const complete = useCompleteAfterFirstFrame(layout?.key);
  const byId = new Map(model.vertices.map((v) => [v.id, v] as const));
  const live = layout !== undefined && model.vertices.some((v) => v.load.kind !== 'unknown');
  useLayoutEffect(() => {
    // bench/dashboard reads when the graph first showed live figures: the next frame, the one that paints this render
    // (as rivulet:first-render and rivulet:live-data are marked).
    if (live && performance.getEntriesByName('rivulet:graph-live').length === 0) requestAnimationFrame(() => performance.mark('rivulet:graph-live'));
  }, [live]);
  if (laidOut instanceof Error) return <p class="note" role="alert">The graph cannot be drawn: {laidOut.message}. The subtasks tab lists every vertex.</p>;
  if (!layout) return <p class="note" role="status">Drawing the graph…</p>;
  const shown = complete ? undefined : firstDrawExtent();
  const inView = (x: number, y: number): boolean => shown === undefined || (x < shown.width && y < shown.height);
  return (
    <div class="graph-scroll">
      <svg class="job-graph" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label="Dataflow graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="edge-arrow" />
          </marker>
        </defs>
        {layout.edges.map((placed, i) => !inView(Math.min(...placed.points.map((p) => p.x)), Math.min(...placed.points.map((p) => p.y))) ? null : (
          <g key={`e${i}`} class="edge">
            <polyline points={placed.points.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" class="edge-line" marker-end="url(#arrow)" />
            <text x={placed.labelX} y={placed.labelY + 4} text-anchor="middle" class="edge-label">{placed.edge.label}</text>
          </g>
        ))}
        {layout.vertices.map((placed) => {
          const vertex = byId.get(placed.id);
          if (vertex === undefined || !inView(placed.x, placed.y)) return null;
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
                <text x={placed.x + 10} y={next()} class="vertex-figure">{vertex.watermark !== null ? `Watermark ${vertex.watermark}` : 'No watermark'}</text>
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
