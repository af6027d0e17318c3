import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_GRAPH_VERSION, type JobGraph, type OperatorKind, type Partitioning } from '@rivulet/api';
import { buildVertexGraph, type JobVertex, type VertexGraph } from '../../src/jobgraph/job-vertices.js';
import { PipelinedRegions, type SubtaskRef } from '../../src/failover/index.js';

type Op = [id: string, kind: OperatorKind, parallelism: number];
type Edge = [source: string, target: string, partitioning: Partitioning];

/** A job graph as the API compiles it, chained into vertices by `buildVertexGraph`. */
function vertexGraphOf(operators: readonly Op[], edges: readonly Edge[]): VertexGraph {
  const keyed = new Set(edges.filter(([, , p]) => p === 'hash').map(([, target]) => target));
  const graph: JobGraph = {
    version: JOB_GRAPH_VERSION,
    name: 'test',
    defaultParallelism: 1,
    maxParallelism: 128,
    operators: operators.map(([id, kind, parallelism]) => ({
      id, hasUserUid: false, name: id, kind, variant: 'test', parallelism, keyed: keyed.has(id), params: {},
    })),
    edges: edges.map(([source, target, partitioning]) => ({ source, target, partitioning })),
    args: [],
  };
  return buildVertexGraph(graph);
}

/** A vertex graph built by hand (no chaining), vertices in the given order. */
function handBuilt(vertices: ReadonlyArray<[id: string, parallelism: number]>, edges: readonly Edge[]): VertexGraph {
  return {
    vertices: vertices.map(([id, parallelism], i): JobVertex => ({
      id, name: id, operatorIds: [id], parallelism, keyed: false, isSource: i === 0,
    })),
    edges: edges.map(([source, target, partitioning]) => ({ source, target, targetOperatorId: target, partitioning })),
  };
}

const ref = (vertexId: string, subtaskIndex: number): SubtaskRef => ({ vertexId, subtaskIndex });
const show = (subtasks: readonly SubtaskRef[]): string[] => subtasks.map((s) => `${s.vertexId}[${s.subtaskIndex}]`);

describe('pipelined regions', () => {
  test('a forward chain at parallelism p is p regions of one subtask each', () => {
    const graph = vertexGraphOf([['source', 'source', 3], ['map', 'map', 3]], [['source', 'map', 'forward']]);
    assert.equal(graph.vertices.length, 1, 'source and map chain into one vertex');
    const regions = PipelinedRegions.of(graph);
    assert.deepEqual(regions.regions.map((r) => show(r.subtasks)), [['source[0]'], ['source[1]'], ['source[2]']]);
    assert.deepEqual(regions.regions.map((r) => r.id), [0, 1, 2]);
    assert.equal(regions.regionOf('source', 2).id, 2);
  });

  test('a keyBy (hash) exchange joins every subtask it touches into one region', () => {
    const graph = vertexGraphOf(
      [['source', 'source', 2], ['sum', 'reduce', 3], ['sink', 'sink', 3]],
      [['source', 'sum', 'hash'], ['sum', 'sink', 'forward']],
    );
    assert.equal(graph.vertices.length, 2, 'sum and sink chain');
    const regions = PipelinedRegions.of(graph);
    assert.equal(regions.regions.length, 1);
    assert.deepEqual(show(regions.regions[0]!.subtasks), ['source[0]', 'source[1]', 'sum[0]', 'sum[1]', 'sum[2]']);
  });

  test('rebalance and broadcast are all-to-all too', () => {
    for (const partitioning of ['rebalance', 'broadcast'] as const) {
      const regions = PipelinedRegions.of(handBuilt([['a', 4], ['b', 4]], [['a', 'b', partitioning]]));
      assert.equal(regions.regions.length, 1, partitioning);
      assert.equal(regions.regions[0]!.subtasks.length, 8, partitioning);
    }
  });

  describe('two independent pipelines: one with a hash edge, one forward-only at parallelism 2', () => {
    // Pipeline A: srcA -hash-> sinkA. Pipeline B: srcB feeds mapB and sinkB by 'forward';
    // with two outputs srcB does not chain, so B is three vertices joined subtask by subtask.
    const graph = vertexGraphOf(
      [
        ['srcA', 'source', 2], ['sinkA', 'sink', 3],
        ['srcB', 'source', 2], ['mapB', 'map', 2], ['sinkB', 'sink', 2],
      ],
      [['srcA', 'sinkA', 'hash'], ['srcB', 'mapB', 'forward'], ['srcB', 'sinkB', 'forward']],
    );
    const regions = PipelinedRegions.of(graph);

    test('has 1 + 2 regions', () => {
      assert.deepEqual(graph.vertices.map((v) => v.id), ['srcA', 'sinkA', 'srcB', 'mapB', 'sinkB']);
      assert.deepEqual(regions.regions.map((r) => show(r.subtasks)), [
        ['srcA[0]', 'srcA[1]', 'sinkA[0]', 'sinkA[1]', 'sinkA[2]'],
        ['srcB[0]', 'mapB[0]', 'sinkB[0]'],
        ['srcB[1]', 'mapB[1]', 'sinkB[1]'],
      ]);
    });

    test('a failed subtask restarts only its region', () => {
      assert.deepEqual(show(regions.regionsToRestart([ref('mapB', 1)])), ['srcB[1]', 'mapB[1]', 'sinkB[1]']);
      assert.deepEqual(show(regions.regionsToRestart([ref('sinkA', 2)])), show(regions.regions[0]!.subtasks));
      assert.equal(regions.regionOf('sinkB', 0), regions.regionOf('srcB', 0));
    });

    test('several failures restart the union of their regions, each once, in vertex order', () => {
      const restarted = regions.regionsToRestart([ref('sinkB', 1), ref('sinkA', 0), ref('srcB', 1), ref('srcA', 1)]);
      assert.deepEqual(show(restarted), [
        'srcA[0]', 'srcA[1]', 'sinkA[0]', 'sinkA[1]', 'sinkA[2]',
        'srcB[1]', 'mapB[1]', 'sinkB[1]',
      ]);
      assert.deepEqual(
        show(regions.regionsToRestart([ref('mapB', 1), ref('srcB', 0)])),
        ['srcB[0]', 'srcB[1]', 'mapB[0]', 'mapB[1]', 'sinkB[0]', 'sinkB[1]'],
      );
      assert.deepEqual(regions.regionsToRestart([]), []);
    });

    test('an unknown subtask is a RangeError naming it', () => {
      assert.throws(() => regions.regionOf('mapB', 2), { name: 'RangeError', message: /mapB\[2\]/ });
      assert.throws(() => regions.regionOf('nope', 0), { name: 'RangeError', message: /nope\[0\]/ });
      assert.throws(() => regions.regionsToRestart([ref('srcA', -1)]), { name: 'RangeError', message: /srcA\[-1\]/ });
    });
  });

  test("a 'forward' edge between unequal parallelisms is treated as all-to-all", () => {
    const regions = PipelinedRegions.of(handBuilt([['a', 2], ['b', 3]], [['a', 'b', 'forward']]));
    assert.equal(regions.regions.length, 1);
  });

  test('50 vertices at parallelism 1000 build with work linear in the subtasks', () => {
    const vertices = Array.from({ length: 50 }, (_, i): [string, number] => [`v${i}`, 1000]);
    const forwardEdges = vertices.slice(1).map(([id], i): Edge => [`v${i}`, id, 'forward']);

    const forward = PipelinedRegions.of(handBuilt(vertices, forwardEdges));
    assert.equal(forward.regions.length, 1000);
    assert.ok(forward.regions.every((r) => r.subtasks.length === 50));
    assert.deepEqual(show(forward.regionOf('v49', 999).subtasks).slice(0, 2), ['v0[999]', 'v1[999]']);
    assert.equal(forward.regionsToRestart([ref('v10', 5), ref('v20', 6)]).length, 100);

    // One hash edge in the middle joins every subtask: 50 000 in one region.
    const shuffled = PipelinedRegions.of(
      handBuilt(vertices, forwardEdges.map((edge, i): Edge => (i === 24 ? [edge[0], edge[1], 'hash'] : edge))),
    );
    assert.equal(shuffled.regions.length, 1);
    assert.equal(shuffled.regionsToRestart([ref('v0', 0)]).length, 50_000);

    const allToAll = PipelinedRegions.of(handBuilt(vertices, forwardEdges.map(([s, t]): Edge => [s, t, 'hash'])));
    assert.equal(allToAll.regions.length, 1);
    assert.equal(allToAll.regions[0]!.subtasks.length, 50_000);
  });
});
