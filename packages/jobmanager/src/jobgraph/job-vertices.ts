import type { JobGraph, OperatorNode, Partitioning } from '@rivulet/api';

/** An operator chain: operators that run in one task, records passed by function call. */
export interface JobVertex {
  /** The id of the chain's head operator. */
  readonly id: string;
  readonly name: string;
  readonly operatorIds: readonly string[];
  readonly parallelism: number;
  /** True when the head operator is keyed (it owns key groups). */
  readonly keyed: boolean;
  readonly isSource: boolean;
}

export interface VertexEdge {
  readonly source: string;
  readonly target: string;
  /** The head operator of the target vertex (where 'hash' keys are selected). */
  readonly targetOperatorId: string;
  readonly partitioning: Partitioning;
  /** The OutputTag id when the edge carries a side output. */
  readonly sideOutput?: string;
  /** 2 when the edge feeds the second input of the target's two-input head operator. */
  readonly input?: 2;
}

export interface VertexGraph {
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly VertexEdge[];
}

/**
 * Chains operators as Flink does: a -> b chain when the edge is 'forward',
 * a has no other outgoing edge, b has no other incoming edge and their
 * parallelism is equal. Vertices come out in the graph's topological order.
 * An operator with several incoming edges (a union's consumer, a two-input
 * operator) therefore always heads its chain.
 */
export function buildVertexGraph(graph: JobGraph): VertexGraph {
  const byId = new Map(graph.operators.map((op) => [op.id, op] as const));
  const parallelismOf = (op: OperatorNode): number => op.parallelism ?? graph.defaultParallelism;
  const outgoing = new Map<string, number>();
  const incoming = new Map<string, number>();
  for (const edge of graph.edges) {
    outgoing.set(edge.source, (outgoing.get(edge.source) ?? 0) + 1);
    incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
  }
  const chainedInto = new Map<string, string>(); // operator -> the operator it chains into
  for (const edge of graph.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) continue;
    if (
      edge.partitioning === 'forward' &&
      edge.sideOutput === undefined &&
      outgoing.get(edge.source) === 1 &&
      incoming.get(edge.target) === 1 &&
      parallelismOf(source) === parallelismOf(target)
    ) {
      chainedInto.set(edge.source, edge.target);
    }
  }
  const isChainedTarget = new Set(chainedInto.values());
  const vertexOf = new Map<string, string>();
  const vertices: JobVertex[] = [];
  for (const head of graph.operators) {
    if (isChainedTarget.has(head.id)) continue;
    const operatorIds = [head.id];
    let next = chainedInto.get(head.id);
    while (next !== undefined) {
      operatorIds.push(next);
      next = chainedInto.get(next);
    }
    for (const id of operatorIds) vertexOf.set(id, head.id);
    vertices.push({
      id: head.id,
      name: operatorIds.map((id) => byId.get(id)?.name ?? id).join(' -> '),
      operatorIds,
      parallelism: parallelismOf(head),
      keyed: head.keyed,
      isSource: head.kind === 'source',
    });
  }
  const edges: VertexEdge[] = graph.edges
    .filter((edge) => chainedInto.get(edge.source) !== edge.target)
    .map((edge) => ({
      source: vertexOf.get(edge.source) ?? edge.source,
      target: vertexOf.get(edge.target) ?? edge.target,
      targetOperatorId: edge.target,
      partitioning: edge.partitioning,
      ...(edge.sideOutput !== undefined ? { sideOutput: edge.sideOutput } : {}),
      ...(edge.input === 2 ? { input: 2 as const } : {}),
    }));
  return { vertices, edges };
}
