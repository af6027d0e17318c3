import type { JobGraph } from '@rivulet/api';
import { isBuiltinSourceVariant, type LeaderSession, type Logger } from '@rivulet/common';
import type { Execution, ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import { SourceCoordinator } from './source-coordinator.js';

/** Whether the operator is a source with a split enumerator: a fromSource operator (variant 'custom') or a built-in source. */
function hasSplitEnumerator(op: JobGraph['operators'][number]): boolean {
  return op.kind === 'source' && (op.variant === 'custom' || isBuiltinSourceVariant(op.variant));
}

/** Whether the job has sources with split enumerators (every source: the built-in ones run on the Source API too). */
export function hasSplitEnumerators(graph: JobGraph): boolean {
  return graph.operators.some(hasSplitEnumerator);
}

/**
 * Whether the job has fromSource operators: split enumerators of the job's
 * own code, whose state since the latest checkpoint dies with the leader.
 * The built-in sources' enumerators (OwnedSplitEnumerator) come back from
 * that checkpoint and the running readers (SourceCoordinator.adopt).
 */
export function hasUserSplitEnumerators(graph: JobGraph): boolean {
  return graph.operators.some((op) => op.kind === 'source' && op.variant === 'custom');
}

/** The SourceCoordinator of a job with sources that have split enumerators; undefined for a job without. */
export function createJobSourceCoordinator(options: {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  readonly graph: ExecutionGraph;
  readonly gateway: TaskManagerGateway;
  readonly session: () => LeaderSession | undefined;
  readonly loadBundle: (() => Promise<Uint8Array>) | undefined;
  readonly onFailure: (reason: string) => void;
  readonly onUndeliverable: (execution: Execution, reason: string) => void;
  readonly undeliverableGraceMs?: number;
  readonly log: Logger;
}): SourceCoordinator | undefined {
  const { jobGraph, graph, loadBundle } = options;
  if (!hasSplitEnumerators(jobGraph)) return undefined;
  return new SourceCoordinator({
    jobId: options.jobId,
    graph,
    gateway: options.gateway,
    session: options.session,
    loadBundle: loadBundle ?? (() => Promise.reject(new Error('this JobManager cannot load the job bundle'))),
    compile: { defaultParallelism: jobGraph.defaultParallelism, maxParallelism: jobGraph.maxParallelism, args: jobGraph.args, defaultJobName: jobGraph.name },
    sources: () => jobGraph.operators
      .filter(hasSplitEnumerator)
      .map((op) => ({
        operatorId: op.id,
        name: op.name,
        parallelism: graph.vertices.vertices.find((v) => v.operatorIds.includes(op.id))?.parallelism ?? op.parallelism ?? jobGraph.defaultParallelism,
        ...(op.variant === 'custom' ? {} : { builtin: { variant: op.variant, params: op.params } }),
      })),
    onFailure: options.onFailure,
    onUndeliverable: options.onUndeliverable,
    ...(options.undeliverableGraceMs === undefined ? {} : { undeliverableGraceMs: options.undeliverableGraceMs }),
    log: options.log.child({ component: 'source-coordinator' }),
  });
}
