import { JobGraphError } from '../errors.js';
import type { CustomPartitioning, OperatorFunctions } from '../functions.js';
import { DEFAULT_AUTO_WATERMARK_INTERVAL_MS, edgeId, JOB_GRAPH_VERSION } from './job-graph.js';
import type { JobGraph, OperatorNode, Partitioning, StreamEdge } from './job-graph.js';
import type { PartitioningHint, RecordedOperator, RecordingGraph } from './recording-graph.js';
import { EMPTY_JOB_MESSAGE, NO_SINK_MESSAGE, validateJobGraph } from './validate-graph.js';

/** A compiled job: the JSON graph to submit and, by operator id, the functions a TaskManager runs. */
export interface CompiledJob {
  readonly graph: JobGraph;
  readonly functions: ReadonlyMap<string, OperatorFunctions>;
  /** By edgeId(source, target): the partitioner and key selector of each 'custom' edge (partitionCustom). */
  readonly partitioners?: ReadonlyMap<string, CustomPartitioning>;
}

/** Job-wide settings that apply where the build function set none. */
export interface CompileSettings {
  readonly name: string;
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  readonly args: readonly string[];
  readonly objectReuse: boolean;
  /** pipeline.auto-watermark-interval (ms); undefined: 200. */
  readonly autoWatermarkIntervalMs?: number | undefined;
}

/**
 * Turns a sealed recording into a validated JobGraph. Decides what the
 * recording left open:
 * - ids: the uid when given, else `${kind}-${variant}-${creation index}`;
 * - default parallelism, maxParallelism and object reuse: the environment's when set, else `settings`;
 * - 'default' edges: 'forward' when both ends resolve to the same parallelism, else 'rebalance';
 * - operators from which no sink can be reached are left out (as Flink does),
 *   without changing the ids of the others.
 * Throws JobGraphError for an empty job, a job without a sink, or any
 * violation validateJobGraph finds.
 */
export function compileRecording(recording: RecordingGraph, settings: CompileSettings): CompiledJob {
  const recorded = recording.operators;
  if (recorded.length === 0) {
    throw new JobGraphError('EMPTY_JOB', EMPTY_JOB_MESSAGE);
  }
  if (!recorded.some((operator) => operator.kind === 'sink')) {
    throw new JobGraphError('NO_SINK', NO_SINK_MESSAGE);
  }
  const defaultParallelism = recording.defaultParallelism ?? settings.defaultParallelism;
  const maxParallelism = recording.maxParallelism ?? settings.maxParallelism;
  const live = operatorsReachingASink(recorded);
  const idOf = (operator: RecordedOperator): string => operator.uid ?? `${operator.kind}-${operator.variant}-${operator.index}`;
  const parallelismOf = (operator: RecordedOperator): number => operator.parallelism ?? defaultParallelism;

  const operators = live.map((operator): OperatorNode => ({
    id: idOf(operator),
    hasUserUid: operator.uid !== null,
    name: operator.name,
    kind: operator.kind,
    variant: operator.variant,
    parallelism: operator.parallelism,
    keyed: operator.keyed,
    params: operator.params,
  }));
  const edges = live.flatMap((target) =>
    target.inputs.map((input): StreamEdge => ({
      source: idOf(input.source),
      target: idOf(target),
      partitioning: resolvePartitioning(input.partitioning, parallelismOf(input.source), parallelismOf(target)),
      ...(input.sideOutput !== undefined ? { sideOutput: input.sideOutput } : {}),
      ...(input.input === 2 ? { input: 2 as const } : {}),
    })),
  );
  const graph: JobGraph = {
    version: JOB_GRAPH_VERSION,
    name: settings.name,
    defaultParallelism,
    maxParallelism,
    operators,
    edges,
    args: [...settings.args],
    ...((recording.objectReuse ?? settings.objectReuse) ? { objectReuse: true } : {}),
    ...autoWatermarkInterval(recording.autoWatermarkIntervalMs ?? settings.autoWatermarkIntervalMs),
  };
  validateJobGraph(graph);
  const partitioners = new Map<string, CustomPartitioning>();
  for (const target of live) {
    for (const input of target.inputs) {
      if (input.customPartitioning) partitioners.set(edgeId(idOf(input.source), idOf(target)), input.customPartitioning);
    }
  }
  return { graph, functions: new Map(live.map((operator) => [idOf(operator), operator.functions])), partitioners };
}

/** The graph field, present only when not the default 200 ms. */
function autoWatermarkInterval(ms: number | undefined): { autoWatermarkIntervalMs?: number } {
  return ms === undefined || ms === DEFAULT_AUTO_WATERMARK_INTERVAL_MS ? {} : { autoWatermarkIntervalMs: ms };
}

function resolvePartitioning(hint: PartitioningHint, sourceParallelism: number, targetParallelism: number): Partitioning {
  if (hint !== 'default') return hint;
  return sourceParallelism === targetParallelism ? 'forward' : 'rebalance';
}

/** The operators with a path to some sink, in creation order. Relies on creation order being topological. */
function operatorsReachingASink(operators: readonly RecordedOperator[]): RecordedOperator[] {
  const live = new Set<RecordedOperator>();
  for (let i = operators.length - 1; i >= 0; i--) {
    const operator = operators[i]!;
    if (operator.kind === 'sink' || live.has(operator)) {
      live.add(operator);
      for (const input of operator.inputs) live.add(input.source);
    }
  }
  return operators.filter((operator) => live.has(operator));
}
