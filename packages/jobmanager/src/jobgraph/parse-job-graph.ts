import { z } from 'zod';
import { OPERATOR_KINDS, PARTITIONINGS, validateJobGraph, type JobGraph } from '@rivulet/api';
import { RivuletError } from '@rivulet/common';

/**
 * Validates a submitted job graph. The JobManager never runs user code, so
 * this JSON is all it knows of the job; anything malformed is refused with
 * a message naming what is wrong.
 */
const operatorSchema = z.object({
  id: z.string().min(1),
  hasUserUid: z.boolean(),
  name: z.string(),
  kind: z.enum(OPERATOR_KINDS),
  variant: z.string(),
  parallelism: z.number().int().min(1).max(32768).nullable(),
  keyed: z.boolean(),
  params: z.record(z.string(), z.unknown()),
});

const graphSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  defaultParallelism: z.number().int().min(1).max(32768),
  maxParallelism: z.number().int().min(1).max(32768),
  operators: z.array(operatorSchema).min(1),
  edges: z.array(z.object({
    source: z.string(),
    target: z.string(),
    partitioning: z.enum(PARTITIONINGS),
    sideOutput: z.string().min(1).optional(),
    input: z.literal(2).optional(),
  })),
  args: z.array(z.string()),
  objectReuse: z.boolean().optional(),
  autoWatermarkIntervalMs: z.number().int().min(0).optional(),
});

export function parseJobGraph(bytes: Uint8Array): JobGraph {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new RivuletError('JOB', `job graph is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = graphSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RivuletError('JOB', `job graph is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`);
  }
  const graph = parsed.data as JobGraph;
  try {
    validateJobGraph(graph);
  } catch (err) {
    throw new RivuletError('JOB', `job graph is invalid: ${(err as Error).message}`);
  }
  const ids = new Set<string>();
  for (const operator of graph.operators) {
    if (ids.has(operator.id)) throw new RivuletError('JOB', `job graph has two operators with id "${operator.id}"`);
    ids.add(operator.id);
    const parallelism = operator.parallelism ?? graph.defaultParallelism;
    if (operator.keyed && parallelism > graph.maxParallelism) {
      throw new RivuletError('JOB', `operator "${operator.id}" has parallelism ${parallelism} above the job's maxParallelism ${graph.maxParallelism}`);
    }
  }
  for (const edge of graph.edges) {
    if (!ids.has(edge.source) || !ids.has(edge.target)) {
      throw new RivuletError('JOB', `job graph edge ${edge.source} -> ${edge.target} names an unknown operator`);
    }
  }
  return graph;
}
