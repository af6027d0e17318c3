import {
  assignKeyGroups,
  pointwiseSources,
  pointwiseTargets,
  subtaskMemberId,
  partitionIdOf,
  type AssignmentTable,
  type ChainedOperator,
  type InputChannelLocation,
  type InputDescriptor,
  type OutputDescriptor,
  type TaskDeploymentDescriptor,
  type TaskRestore,
} from '@rivulet/common';
import type { Execution, ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { VertexEdge } from '../jobgraph/job-vertices.js';

export interface JobDeploymentInfo {
  readonly operators: ReadonlyMap<string, ChainedOperator>;
  readonly jobId: string;
  readonly jobName: string;
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  readonly args: readonly string[];
  readonly bundleSha256: string;
  readonly checkpointingMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** execution.checkpointing.unaligned.enabled. */
  readonly unalignedCheckpoints?: boolean;
  /** Periodic checkpoints: tasks wait for the final checkpoint at the end of their input. */
  readonly finalCheckpoint: boolean;
  /** pipeline.object-reuse, as the job's graph carries it. */
  readonly objectReuse: boolean;
  /** pipeline.auto-watermark-interval, as the job's graph carries it (absent: the default). */
  readonly autoWatermarkIntervalMs?: number | undefined;
}

/** The ring's member id of subtask `i` of a keyed vertex. */
export const memberIdOf = subtaskMemberId;

/**
 * Key-group assignment of every keyed vertex: the consistent-hash ring over
 * its subtasks (incremental bounded-load rule, from an empty table for a
 * fresh job; a restored job uses the table its restore plan computed from
 * the snapshot's). Producers route by it; each subtask owns its groups.
 */
export function assignKeyGroupsOfVertices(
  graph: ExecutionGraph,
  maxParallelism: number,
  restored: ReadonlyMap<string, AssignmentTable> = new Map(),
): Map<string, AssignmentTable> {
  const tables = new Map<string, AssignmentTable>();
  for (const vertex of graph.vertices.vertices) {
    if (!vertex.keyed) continue;
    const previous = restored.get(vertex.id);
    if (previous) {
      tables.set(vertex.id, previous);
      continue;
    }
    const members = Array.from({ length: vertex.parallelism }, (_, i) => memberIdOf(i));
    tables.set(vertex.id, assignKeyGroups({ members, numberOfKeyGroups: maxParallelism }));
  }
  return tables;
}

/** 'forward' and 'rescale' connect subtasks pointwise (pointwise-edges.ts); every other partitioning all-to-all. */
function isPointwise(edge: { readonly partitioning: string }): boolean {
  return edge.partitioning === 'forward' || edge.partitioning === 'rescale';
}

/** The target subtasks that producer subtask `producerIndex` feeds on `edge`: subpartition k goes to element k. */
function consumersOf(edge: { readonly partitioning: string }, producerIndex: number, sourceParallelism: number, targetParallelism: number): number[] {
  return isPointwise(edge)
    ? pointwiseTargets(producerIndex, sourceParallelism, targetParallelism)
    : Array.from({ length: targetParallelism }, (_, i) => i);
}

/** The producer subtasks that feed consumer subtask `consumerIndex` on `edge`. */
function producersOf(edge: { readonly partitioning: string }, consumerIndex: number, sourceParallelism: number, targetParallelism: number): number[] {
  return isPointwise(edge)
    ? pointwiseSources(consumerIndex, sourceParallelism, targetParallelism)
    : Array.from({ length: sourceParallelism }, (_, i) => i);
}

/** Builds the deployment descriptor of one execution; every execution must have a slot. */
export function buildDescriptor(
  info: JobDeploymentInfo,
  graph: ExecutionGraph,
  tables: ReadonlyMap<string, AssignmentTable>,
  execution: Execution,
  restore?: TaskRestore,
): TaskDeploymentDescriptor {
  const { vertex, subtaskIndex } = execution;
  const parallelismOf = (vertexId: string): number =>
    graph.vertices.vertices.find((v) => v.id === vertexId)?.parallelism ?? 0;

  const inputs: InputDescriptor[] = graph.vertices.edges
    .filter((edge) => edge.target === vertex.id)
    .map((edge) => {
      const producers = producersOf(edge, subtaskIndex, parallelismOf(edge.source), vertex.parallelism);
      const channels: InputChannelLocation[] = producers.map((producerIndex) => {
        const producer = graph.executionOf(edge.source, producerIndex);
        const slot = producer?.slot;
        if (!slot || !execution.slot) throw new Error(`subtask ${edge.source}[${producerIndex}] has no slot`);
        return {
          partitionId: partitionIdOf(info.jobId, producer.attemptNumber, edge.source, edge.target, producerIndex),
          subpartitionIndex: consumersOf(edge, producerIndex, parallelismOf(edge.source), vertex.parallelism).indexOf(subtaskIndex),
          location: slot.resourceId === execution.slot.resourceId ? 'local' : { host: slot.dataHost, port: slot.dataPort },
          ...(slot.allocationId === execution.slot.allocationId && slot.resourceId === execution.slot.resourceId ? { sameSlot: true } : {}),
        };
      });
      return { sourceVertexId: edge.source, partitioning: edge.partitioning, channels, ...(edge.input === 2 ? { input: 2 as const } : {}) };
    });

  const outputs: OutputDescriptor[] = graph.vertices.edges
    .filter((edge) => edge.source === vertex.id)
    .map((edge) => {
      const table = tables.get(edge.target);
      return {
        targetVertexId: edge.target,
        targetOperatorId: edge.targetOperatorId,
        partitioning: edge.partitioning,
        partitionId: partitionIdOf(info.jobId, execution.attemptNumber, edge.source, edge.target, subtaskIndex),
        numberOfSubpartitions: consumersOf(edge, subtaskIndex, vertex.parallelism, parallelismOf(edge.target)).length,
        ...(edge.partitioning === 'hash' && table ? { keyGroupOwners: table.ownerIds().map(Number) } : {}),
        sameSlotSubpartitions: sameSlotSubpartitions(graph, edge, execution, vertex.parallelism, parallelismOf(edge.target)),
        ...(edge.sideOutput !== undefined ? { sideOutput: edge.sideOutput } : {}),
        ...(edge.input === 2 ? { targetInput: 2 as const } : {}),
      };
    });

  return {
    jobId: info.jobId,
    jobName: info.jobName,
    attempt: execution.attemptNumber,
    executionAttemptId: execution.attemptId,
    vertexId: vertex.id,
    vertexName: vertex.name,
    subtaskIndex,
    parallelism: vertex.parallelism,
    defaultParallelism: info.defaultParallelism,
    maxParallelism: info.maxParallelism,
    args: info.args,
    operatorIds: vertex.operatorIds,
    operators: vertex.operatorIds.map((id) => {
      const operator = info.operators.get(id);
      if (!operator) throw new Error(`operator ${id} is not in the job graph`);
      return operator;
    }),
    inputs,
    outputs,
    keyGroups: tables.get(vertex.id)?.keyGroupsOf(memberIdOf(subtaskIndex)) ?? [],
    bundleSha256: info.bundleSha256,
    checkpointingMode: info.checkpointingMode,
    ...(info.unalignedCheckpoints === true ? { unalignedCheckpoints: true } : {}),
    finalCheckpoint: info.finalCheckpoint,
    ...(info.objectReuse ? { objectReuse: true } : {}),
    ...(info.autoWatermarkIntervalMs !== undefined ? { autoWatermarkIntervalMs: info.autoWatermarkIntervalMs } : {}),
    ...(restore ? { restore } : {}),
  };
}

/**
 * The subpartitions of `producer`'s partition on `edge` whose consumer has
 * the producer's slot (allocation): their records stay in that slot's thread.
 */
function sameSlotSubpartitions(
  graph: ExecutionGraph,
  edge: { readonly target: string; readonly partitioning: string },
  producer: Execution,
  producerParallelism: number,
  consumerParallelism: number,
): number[] {
  const slot = producer.slot;
  if (!slot) return [];
  const consumers = consumersOf(edge, producer.subtaskIndex, producerParallelism, consumerParallelism)
    .map((subtask, subpartition) => ({ subpartition, subtask }));
  return consumers
    .filter(({ subtask }) => {
      const consumer = graph.executionOf(edge.target, subtask)?.slot;
      return consumer !== undefined && consumer.allocationId === slot.allocationId && consumer.resourceId === slot.resourceId;
    })
    .map(({ subpartition }) => subpartition);
}
