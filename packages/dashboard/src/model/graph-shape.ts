import type { GraphEdge } from './job-graph-model.js';

/*
 * The job graph's layout as data, without the layout code (dagre): what the
 * page, the layout worker and graph-layout.ts share.
 */

/** What the layout needs of a vertex: its id and how many operators its box lists. */
export interface LayoutVertex {
  readonly id: string;
  readonly operators: readonly string[];
}

export interface PlacedVertex {
  readonly id: string;
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

/** Plain data (it crosses from the layout worker by structured clone). */
export interface GraphLayout {
  /** The graph's shape it was computed for (layoutKey). */
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly vertices: readonly PlacedVertex[];
  readonly edges: readonly PlacedEdge[];
}

export const VERTEX_WIDTH = 260;
/**
 * Height of a vertex box: the title, one line per chained operator beyond
 * the first (four at most), and the figures (the watermark line always:
 * "No watermark" until there is one, so live figures never move a box).
 */
export function vertexHeight(vertex: LayoutVertex): number {
  return 112 + Math.min(vertex.operators.length - 1, 4) * 14;
}

/** The graph's shape: the layout of two graphs with the same key is the same. */
export function layoutKey(vertices: readonly LayoutVertex[], edges: readonly GraphEdge[]): string {
  return `${vertices.map((v) => `${v.id}:${v.operators.length}`).join(',')}|${edges.map((e) => `${e.from}>${e.to}:${e.label}`).join(',')}`;
}
