import type { JobMaster } from './job-master.js';

/**
 * The JSON of `GET /jobs/:id/plan`, in the shape of Flink's JobPlanInfo:
 * `plan.nodes`, one per vertex (operator chain) with its `description`,
 * `parallelism` and `inputs` (`id` of the producing vertex and
 * `ship_strategy`, the edge's partitioning in Flink's upper case). Rivulet
 * adds each node's chained `operators` (names, head first), `keyed`,
 * `source`, and on an input the `side-output` tag and `input` 2 of a
 * two-input operator. The dashboard draws the job graph from it.
 */
export function jobPlanJson(master: JobMaster): Record<string, unknown> {
  const { vertices, edges } = master.graph.vertices;
  const operatorNames = new Map(master.options.graph.operators.map((op) => [op.id, op.name] as const));
  return {
    jid: master.jobId,
    name: master.name,
    plan: {
      jid: master.jobId,
      name: master.name,
      nodes: vertices.map((vertex) => ({
        id: vertex.id,
        description: vertex.name,
        parallelism: vertex.parallelism,
        operators: vertex.operatorIds.map((id) => operatorNames.get(id) ?? id),
        keyed: vertex.keyed,
        source: vertex.isSource,
        inputs: edges
          .filter((edge) => edge.target === vertex.id)
          .map((edge, num) => ({
            num,
            id: edge.source,
            ship_strategy: edge.partitioning.toUpperCase(),
            ...(edge.sideOutput !== undefined ? { 'side-output': edge.sideOutput } : {}),
            ...(edge.input === 2 ? { input: 2 } : {}),
          })),
      })),
    },
  };
}
