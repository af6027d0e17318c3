import type { JobGraph } from '@rivulet/api';
import type { LeaderSession, Logger } from '@rivulet/common';
import type { Execution, ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import { SourceCoordinator } from './source-coordinator.js';

/** The fromSource operators of a job graph (Source API sources, variant 'custom'). */
export function hasSourceApiSources(graph: JobGraph): boolean {
  return graph.operators.some((op) => op.kind === 'source' && op.variant === 'custom');
}

/** The SourceCoordinator of a job with fromSource operators; undefined for a job without. */
export function createJobSourceCoordinator(options: {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  readonly graph: ExecutionGraph;
  readonly gateway: TaskManagerGateway;
  readonly session: () => LeaderSession | undefined;
  readonly loadBundle: (() => Promise<Uint8Array>) | undefined;
  readonly onFailure: (reason: string) => void;
  readonly onUndeliverable: (execution: Execution, reason: string) => void;
  readonly log: Logger;
}): SourceCoordinator | undefined {
  const { jobGraph, graph, loadBundle } = options;
  if (!hasSourceApiSources(jobGraph)) return undefined;
  return new SourceCoordinator({
    jobId: options.jobId,
    graph,
    gateway: options.gateway,
    session: options.session,
    loadBundle: loadBundle ?? (() => Promise.reject(new Error('this JobManager cannot load the job bundle'))),
    compile: { defaultParallelism: jobGraph.defaultParallelism, maxParallelism: jobGraph.maxParallelism, args: jobGraph.args, defaultJobName: jobGraph.name },
    sources: () => jobGraph.operators
      .filter((op) => op.kind === 'source' && op.variant === 'custom')
      .map((op) => ({
        operatorId: op.id,
        name: op.name,
        parallelism: graph.vertices.vertices.find((v) => v.operatorIds.includes(op.id))?.parallelism ?? op.parallelism ?? jobGraph.defaultParallelism,
      })),
    onFailure: options.onFailure,
    onUndeliverable: options.onUndeliverable,
    log: options.log.child({ component: 'source-coordinator' }),
  });
}
