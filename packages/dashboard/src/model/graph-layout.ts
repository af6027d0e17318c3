import dagre from '@dagrejs/dagre';
import type { GraphEdge } from './job-graph-model.js';
import { layoutKey, vertexHeight, VERTEX_WIDTH, type GraphLayout, type LayoutVertex, type PlacedEdge, type PlacedVertex } from './graph-shape.js';

export type { GraphLayout, LayoutVertex, PlacedEdge, PlacedVertex } from './graph-shape.js';

/**
 * Places the vertices left to right (sources on the left, as Flink draws a
 * job) with dagre's layered layout; positions depend only on the graph's
 * shape, so live figures do not move the boxes.
 */
export function layoutGraph(vertices: readonly LayoutVertex[], edges: readonly GraphEdge[]): GraphLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 90, edgesep: 16, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const vertex of vertices) graph.setNode(vertex.id, { width: VERTEX_WIDTH, height: vertexHeight(vertex) });
  edges.forEach((edge, i) => graph.setEdge(edge.from, edge.to, { width: 90, height: 18, labelpos: 'c' }, `e${i}`));
  dagre.layout(graph);
  const placed = vertices.map((vertex): PlacedVertex => {
    const node = graph.node(vertex.id) as { x: number; y: number; width: number; height: number };
    return { id: vertex.id, x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height };
  });
  const placedEdges = edges.map((edge, i): PlacedEdge => {
    const e = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` }) as { points: { x: number; y: number }[]; x?: number; y?: number };
    const points = e.points.map((p) => ({ x: p.x, y: p.y }));
    const mid = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
    return { edge: { ...edge }, points, labelX: e.x ?? mid.x, labelY: e.y ?? mid.y };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return { key: layoutKey(vertices, edges), width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), vertices: placed, edges: placedEdges };
}
