import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_GRAPH_VERSION, type JobGraph, type Partitioning } from '@rivulet/api';
import type { TaskDeploymentDescriptor } from '@rivulet/common';
import { ExecutionGraph } from '../../src/executiongraph/execution-graph.js';
import { PipelinedRegions } from '../../src/failover/index.js';
import { buildVertexGraph } from '../../src/jobgraph/job-vertices.js';
import { buildDescriptor, type JobDeploymentInfo } from '../../src/scheduler/deployment-descriptors.js';

/**
 * The deployment of every partitioning: which subpartitions each producer's
 * partition has and which channels each consumer reads. A producer's
 * subpartition k must be read by exactly one consumer, and that consumer
 * must be the one the partitioning sends subpartition k to.
 */

function jobGraph(upstream: number, downstream: number, partitioning: Partitioning): JobGraph {
  return {
    version: JOB_GRAPH_VERSION,
    name: 'partitioning',
    defaultParallelism: 1,
    maxParallelism: 128,
    operators: [
      { id: 'up', hasUserUid: true, name: 'Up', kind: 'source', variant: 'sequence', parallelism: upstream, keyed: false, params: {} },
      { id: 'down', hasUserUid: true, name: 'Down', kind: 'map', variant: 'user', parallelism: downstream, keyed: false, params: {} },
      { id: 'sink', hasUserUid: true, name: 'Sink', kind: 'sink', variant: 'print', parallelism: downstream, keyed: false, params: {} },
    ],
    edges: [
      { source: 'up', target: 'down', partitioning },
      { source: 'down', target: 'sink', partitioning: 'forward' },
    ],
    args: [],
  };
}

/** Every subtask's descriptor, each subtask in a slot of its own on one TaskManager. */
function deploy(upstream: number, downstream: number, partitioning: Partitioning): { up: TaskDeploymentDescriptor[]; down: TaskDeploymentDescriptor[]; graph: ExecutionGraph } {
  const graph = new ExecutionGraph(buildVertexGraph(jobGraph(upstream, downstream, partitioning)));
  graph.executions.forEach((execution, i) => {
    execution.slot = {
      resourceId: 'tm-1', registrationId: 'r', slotIndex: i, allocationId: `allocation-${i}`,
      rpcAddress: '127.0.0.1:1', dataHost: '127.0.0.1', dataPort: 2,
    };
  });
  const info: JobDeploymentInfo = {
    operators: new Map(jobGraph(upstream, downstream, partitioning).operators.map((o) => [o.id, { ...o }])),
    jobId: 'job', jobName: 'partitioning', defaultParallelism: 1, maxParallelism: 128, args: [], bundleSha256: 'x',
    checkpointingMode: 'EXACTLY_ONCE', finalCheckpoint: false, objectReuse: false,
  };
  const descriptorsOf = (vertexId: string): TaskDeploymentDescriptor[] =>
    graph.executions.filter((e) => e.vertex.id === vertexId).map((e) => buildDescriptor(info, graph, new Map(), e));
  return { up: descriptorsOf('up'), down: descriptorsOf('down'), graph };
}

/** `producer>consumer` for every subpartition, from the consumers' channels; checks each subpartition is read exactly once. */
function connections(upstream: number, downstream: number, partitioning: Partitioning): string[] {
  const { up, down } = deploy(upstream, downstream, partitioning);
  const readers = new Map<string, number>();
  for (const consumer of down) {
    for (const channel of consumer.inputs[0]!.channels) {
      const key = `${channel.partitionId}#${channel.subpartitionIndex}`;
      assert.ok(!readers.has(key), `${key} read twice`);
      readers.set(key, consumer.subtaskIndex);
    }
  }
  const pairs: string[] = [];
  for (const producer of up) {
    const output = producer.outputs[0]!;
    assert.equal(output.partitioning, partitioning);
    for (let k = 0; k < output.numberOfSubpartitions; k++) {
      const consumer = readers.get(`${output.partitionId}#${k}`);
      assert.ok(consumer !== undefined, `subpartition ${k} of ${output.partitionId} has no reader`);
      readers.delete(`${output.partitionId}#${k}`);
      pairs.push(`${producer.subtaskIndex}>${consumer}`);
    }
  }
  assert.deepEqual([...readers.keys()], [], 'channels that read a subpartition no producer has');
  return pairs;
}

describe('deployment of each partitioning', () => {
  test('rescale 2 -> 4: each upstream subtask has two subpartitions, for its own two downstream subtasks', () => {
    assert.deepEqual(connections(2, 4, 'rescale'), ['0>0', '0>1', '1>2', '1>3']);
  });

  test('rescale 4 -> 2: each upstream subtask has one subpartition; each downstream subtask reads two upstream subtasks', () => {
    assert.deepEqual(connections(4, 2, 'rescale'), ['0>0', '1>0', '2>1', '3>1']);
  });

  test('rescale 3 -> 3 is one to one', () => {
    assert.deepEqual(connections(3, 3, 'rescale'), ['0>0', '1>1', '2>2']);
  });

  for (const partitioning of ['rebalance', 'shuffle', 'global', 'custom', 'broadcast'] as const) {
    test(`${partitioning} 2 -> 3: all to all, subpartition k for downstream subtask k`, () => {
      assert.deepEqual(connections(2, 3, partitioning), ['0>0', '0>1', '0>2', '1>0', '1>1', '1>2']);
    });
  }

  test('a rescale edge is never chained, even at equal parallelism', () => {
    const vertices = buildVertexGraph(jobGraph(2, 2, 'rescale'));
    assert.deepEqual(vertices.vertices.map((v) => v.operatorIds), [['up'], ['down', 'sink']]);
  });

  test('same-slot subpartitions follow the rescale groups', () => {
    const { graph } = deploy(2, 4, 'rescale');
    // Downstream subtask 3 shares upstream subtask 1's slot: subpartition 1 of that producer stays in the slot.
    graph.executionOf('down', 3)!.slot = graph.executionOf('up', 1)!.slot;
    assert.deepEqual(producerDescriptor(graph, 1).outputs[0]!.sameSlotSubpartitions, [1]);
    assert.deepEqual(producerDescriptor(graph, 0).outputs[0]!.sameSlotSubpartitions, []);
  });

  test('pipelined regions of a rescale edge: one region per group', () => {
    const regions = PipelinedRegions.of(buildVertexGraph(jobGraph(2, 4, 'rescale')));
    assert.deepEqual(
      regions.regions.map((r) => r.subtasks.map((s) => `${s.vertexId}[${s.subtaskIndex}]`).join(' ')),
      ['up[0] down[0] down[1]', 'up[1] down[2] down[3]'],
    );
    const allToAll = PipelinedRegions.of(buildVertexGraph(jobGraph(2, 4, 'shuffle')));
    assert.equal(allToAll.regions.length, 1);
  });
});

function producerDescriptor(graph: ExecutionGraph, subtaskIndex: number): TaskDeploymentDescriptor {
  const info: JobDeploymentInfo = {
    operators: new Map(jobGraph(2, 4, 'rescale').operators.map((o) => [o.id, { ...o }])),
    jobId: 'job', jobName: 'partitioning', defaultParallelism: 1, maxParallelism: 128, args: [], bundleSha256: 'x',
    checkpointingMode: 'EXACTLY_ONCE', finalCheckpoint: false, objectReuse: false,
  };
  return buildDescriptor(info, graph, new Map(), graph.executionOf('up', subtaskIndex)!);
}
