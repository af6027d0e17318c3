import { pointwiseTargets } from '@rivulet/common';
import type { VertexGraph } from '../jobgraph/job-vertices.js';

export interface SubtaskRef {
  readonly vertexId: string;
  readonly subtaskIndex: number;
}

export interface PipelinedRegion {
  /** 0, 1, …, in the order of each region's first subtask. */
  readonly id: number;
  /** Sorted by vertex order (the graph's), then subtask index. */
  readonly subtasks: readonly SubtaskRef[];
}

/**
 * The pipelined regions of a job: the connected components of its subtask
 * graph (Flink's failover regions). Every exchange is pipelined, so a failed
 * subtask takes down every subtask it exchanges data with, directly or not,
 * and exactly those restart under `jobmanager.execution.failover-strategy:
 * region`.
 *
 * A 'forward' edge connects subtask i of its source with subtask i of its
 * target, a 'rescale' edge each source subtask with the targets of its group
 * (pointwise-edges.ts); every other partitioning connects every source
 * subtask with every target subtask. A 'forward' edge between unequal parallelisms (which graph
 * validation rejects) is treated as all-to-all: restarting too much is safe,
 * too little is not.
 *
 * Built with a union-find over the subtasks in O(subtasks + Σ edge
 * parallelisms), never O(p²) per all-to-all edge.
 */
export class PipelinedRegions {
  readonly regions: readonly PipelinedRegion[];
  /** Position of each vertex in the graph's vertex order. */
  private readonly vertexIndex: ReadonlyMap<string, number>;
  /** Global index of subtask 0 of each vertex (by vertex position). */
  private readonly offsets: readonly number[];
  private readonly parallelisms: readonly number[];
  /** Region id of each subtask, by global index. */
  private readonly regionOfSubtask: Int32Array;

  private constructor(graph: VertexGraph) {
    const vertexIndex = new Map<string, number>();
    const offsets: number[] = [];
    let total = 0;
    for (const [i, vertex] of graph.vertices.entries()) {
      if (vertexIndex.has(vertex.id)) throw new Error(`pipelined regions: duplicate vertex "${vertex.id}"`);
      vertexIndex.set(vertex.id, i);
      offsets.push(total);
      total += vertex.parallelism;
    }
    this.vertexIndex = vertexIndex;
    this.offsets = offsets;
    this.parallelisms = graph.vertices.map((v) => v.parallelism);

    const sets = new DisjointSets(total);
    for (const edge of graph.edges) {
      const source = this.positionOf(edge.source, edge);
      const target = this.positionOf(edge.target, edge);
      const sourceParallelism = this.parallelisms[source]!;
      const targetParallelism = this.parallelisms[target]!;
      const sourceOffset = offsets[source]!;
      const targetOffset = offsets[target]!;
      if (edge.partitioning === 'forward' && sourceParallelism === targetParallelism) {
        for (let i = 0; i < sourceParallelism; i++) sets.union(sourceOffset + i, targetOffset + i);
      } else if (edge.partitioning === 'rescale' && sourceParallelism > 0 && targetParallelism > 0) {
        for (let i = 0; i < sourceParallelism; i++) {
          for (const j of pointwiseTargets(i, sourceParallelism, targetParallelism)) sets.union(sourceOffset + i, targetOffset + j);
        }
      } else if (sourceParallelism > 0 && targetParallelism > 0) {
        for (let i = 0; i < sourceParallelism; i++) sets.union(sourceOffset, sourceOffset + i);
        for (let i = 0; i < targetParallelism; i++) sets.union(sourceOffset, targetOffset + i);
      }
    }

    const regionOfSubtask = new Int32Array(total);
    const regionOfRoot = new Map<number, number>();
    const members: SubtaskRef[][] = [];
    let position = 0;
    for (const [v, vertex] of graph.vertices.entries()) {
      for (let i = 0; i < vertex.parallelism; i++, position++) {
        const root = sets.find(offsets[v]! + i);
        let region = regionOfRoot.get(root);
        if (region === undefined) {
          region = members.length;
          regionOfRoot.set(root, region);
          members.push([]);
        }
        regionOfSubtask[position] = region;
        members[region]!.push(Object.freeze({ vertexId: vertex.id, subtaskIndex: i }));
      }
    }
    this.regionOfSubtask = regionOfSubtask;
    this.regions = Object.freeze(members.map((subtasks, id) => Object.freeze({ id, subtasks: Object.freeze(subtasks) })));
  }

  static of(graph: VertexGraph): PipelinedRegions {
    return new PipelinedRegions(graph);
  }

  /** The region of one subtask; throws a RangeError naming the subtask when the graph has no such subtask. */
  regionOf(vertexId: string, subtaskIndex: number): PipelinedRegion {
    return this.regions[this.regionOfSubtask[this.globalIndexOf(vertexId, subtaskIndex)]!]!;
  }

  /** Union of the regions of `subtasks`, each once, subtasks sorted by vertex order then index. */
  regionsToRestart(subtasks: Iterable<SubtaskRef>): SubtaskRef[] {
    const ids = new Set<number>();
    for (const { vertexId, subtaskIndex } of subtasks) ids.add(this.regionOf(vertexId, subtaskIndex).id);
    const chosen = [...ids].map((id) => this.regions[id]!);
    if (chosen.length === 1) return [...chosen[0]!.subtasks];
    return chosen
      .flatMap((region) => region.subtasks)
      .map((ref) => ({ ref, at: this.globalIndexOf(ref.vertexId, ref.subtaskIndex) }))
      .sort((a, b) => a.at - b.at)
      .map(({ ref }) => ref);
  }

  private globalIndexOf(vertexId: string, subtaskIndex: number): number {
    const position = this.vertexIndex.get(vertexId);
    const parallelism = position === undefined ? 0 : this.parallelisms[position]!;
    if (position === undefined || !Number.isInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
      throw new RangeError(`no subtask ${vertexId}[${subtaskIndex}] in the job's vertex graph`);
    }
    return this.offsets[position]! + subtaskIndex;
  }

  private positionOf(vertexId: string, edge: { source: string; target: string }): number {
    const position = this.vertexIndex.get(vertexId);
    if (position === undefined) {
      throw new Error(`pipelined regions: edge ${edge.source} -> ${edge.target} names unknown vertex "${vertexId}"`);
    }
    return position;
  }
}

/** Union-find with path halving and union by size. */
class DisjointSets {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    let rootA = this.find(a);
    let rootB = this.find(b);
    if (rootA === rootB) return;
    if (this.size[rootA]! < this.size[rootB]!) [rootA, rootB] = [rootB, rootA];
    this.parent[rootB] = rootA;
    this.size[rootA]! += this.size[rootB]!;
  }
}
