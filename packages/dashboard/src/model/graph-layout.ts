import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphVertex } from './job-graph-model.js';

export interface PlacedVertex {
  readonly vertex: GraphVertex;
  /** Top-left corner and size, in the SVG's units. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly edge: GraphEdge;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly labelX: number;
  readonly labelY: number;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly vertices: readonly PlacedVertex[];
  readonly edges: readonly PlacedEdge[];
}

export const VERTEX_WIDTH = 260;
/** Height of a vertex box: the title, one line per chained operator beyond the first, and the figures. */
export function vertexHeight(vertex: GraphVertex): number {
  return 96 + Math.min(vertex.operators.length - 1, 4) * 14 + (vertex.watermark === null ? 0 : 16);
}

/**
 * Places the vertices left to right (sources on the left, as Flink draws a
 * job) with dagre's layered layout; positions depend only on the graph's
 * shape, so live figures do not move the boxes.
 */
export function layoutGraph(vertices: readonly GraphVertex[], edges: readonly GraphEdge[]): GraphLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 90, edgesep: 16, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const vertex of vertices) graph.setNode(vertex.id, { width: VERTEX_WIDTH, height: vertexHeight(vertex) });
  edges.forEach((edge, i) => graph.setEdge(edge.from, edge.to, { width: 90, height: 18, labelpos: 'c' }, `e${i}`));
  dagre.layout(graph);
  const placed = vertices.map((vertex): PlacedVertex => {
    const node = graph.node(vertex.id) as { x: number; y: number; width: number; height: number };
    return { vertex, x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height };
  });
  const placedEdges = edges.map((edge, i): PlacedEdge => {
    const e = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` }) as { points: { x: number; y: number }[]; x?: number; y?: number };
    const mid = e.points[Math.floor(e.points.length / 2)] ?? { x: 0, y: 0 };
    return { edge, points: e.points, labelX: e.x ?? mid.x, labelY: e.y ?? mid.y };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), vertices: placed, edges: placedEdges };
}
