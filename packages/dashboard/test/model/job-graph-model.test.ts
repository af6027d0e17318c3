import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobGraphModel, planShape, vertexLoad } from '../../src/model/job-graph-model.js';
import { layoutGraph } from '../../src/model/graph-layout.js';
import { layoutKey } from '../../src/model/graph-shape.js';
import type { JobPlanResponse, JobTaskMetricsResponse, TaskFigures } from '../../src/model/rest-types.js';

const plan: JobPlanResponse = {
  jid: 'j', name: 'job',
  plan: {
    nodes: [
      { id: 'src', description: 'Source -> Map', parallelism: 2, operators: ['Source', 'Map'], keyed: false, source: true, inputs: [] },
      { id: 'agg', description: 'Keyed Process', parallelism: 2, operators: ['Keyed Process'], keyed: true, source: false, inputs: [{ id: 'src', ship_strategy: 'HASH' }] },
      { id: 'sink', description: 'Sink', parallelism: 1, operators: ['Sink'], keyed: false, source: false, inputs: [{ id: 'agg', ship_strategy: 'REBALANCE', 'side-output': 'late' }] },
    ],
  },
};

const figures = (over: Partial<TaskFigures>): TaskFigures & { 'reporting-subtasks': number } => ({
  'records-in': 0, 'records-out': 0, 'records-in-per-second': 0, 'records-out-per-second': 0,
  'busy-time-ms-per-second': 0, 'idle-time-ms-per-second': 0, 'backpressured-time-ms-per-second': 0,
  'input-watermark': null, 'output-watermark': null, 'reporting-subtasks': 2, ...over,
});

const metrics: JobTaskMetricsResponse = {
  jid: 'j', timestamp: 0,
  vertices: [
    { id: 'src', name: 'Source -> Map', parallelism: 2, metrics: figures({ 'records-out-per-second': 12_000, 'backpressured-time-ms-per-second': 800, 'busy-time-ms-per-second': 150 }), subtasks: [] },
    { id: 'agg', name: 'Keyed Process', parallelism: 2, metrics: figures({ 'records-in-per-second': 12_000, 'records-out-per-second': 300, 'busy-time-ms-per-second': 950, 'input-watermark': 1_700_000_000_000 }), subtasks: [] },
    { id: 'sink', name: 'Sink', parallelism: 1, metrics: null, subtasks: [] },
  ],
};

test('each vertex is coloured by what dominates: backpressure, busy time, or idleness', () => {
  assert.deepEqual(vertexLoad(null), { kind: 'unknown', level: 0 });
  assert.equal(vertexLoad({ 'busy-time-ms-per-second': 20, 'backpressured-time-ms-per-second': 0 }).kind, 'idle');
  assert.deepEqual(vertexLoad({ 'busy-time-ms-per-second': 500, 'backpressured-time-ms-per-second': 100 }), { kind: 'busy', level: 0.5 });
  assert.deepEqual(vertexLoad({ 'busy-time-ms-per-second': 100, 'backpressured-time-ms-per-second': 850 }), { kind: 'backpressured', level: 0.85 });
  assert.equal(vertexLoad({ 'busy-time-ms-per-second': 5000, 'backpressured-time-ms-per-second': 0 }).level, 1, 'clamped');
});

test('plan + task metrics -> vertices with chains, rates, watermark, and edges with partitioning', () => {
  const model = jobGraphModel(plan, metrics);
  const [src, agg, sink] = model.vertices;
  assert.equal(src!.chained, true);
  assert.equal(src!.load.kind, 'backpressured');
  assert.equal(src!.recordsIn, 'source');
  assert.equal(src!.recordsOut, '12k records/s');
  assert.equal(src!.watermark, null, 'no watermark line where there is none');
  assert.equal(agg!.load.kind, 'busy');
  assert.equal(agg!.busy, '95%');
  assert.equal(agg!.recordsIn, '12k records/s');
  assert.notEqual(agg!.watermark, null);
  assert.equal(sink!.load.kind, 'unknown');
  assert.equal(sink!.recordsOut, 'sink');
  assert.equal(sink!.reporting, '0/1 subtasks reporting');
  assert.deepEqual(model.edges, [
    { from: 'src', to: 'agg', label: 'HASH' },
    { from: 'agg', to: 'sink', label: 'REBALANCE · side output' },
  ]);
});

test('without figures the graph still draws, every vertex unknown', () => {
  const model = jobGraphModel(plan, undefined);
  assert.deepEqual(model.vertices.map((v) => v.load.kind), ['unknown', 'unknown', 'unknown']);
});

test('the layout runs sources left to sinks right, boxes apart, every edge routed', () => {
  const model = jobGraphModel(plan, metrics);
  const layout = layoutGraph(model.vertices, model.edges);
  const x = (id: string): number => layout.vertices.find((v) => v.id === id)!.x;
  assert.ok(x('src') < x('agg') && x('agg') < x('sink'));
  assert.equal(layout.edges.length, 2);
  for (const edge of layout.edges) assert.ok(edge.points.length >= 2);
  assert.ok(layout.width > 0 && layout.height > 0);
});

test('the layout depends on the plan alone: the worker (plan only) and the page (plan and figures) lay out alike', () => {
  const shape = planShape(plan);
  const fromPlan = layoutGraph(shape.vertices, shape.edges);
  const model = jobGraphModel(plan, metrics);
  const fromModel = layoutGraph(model.vertices, model.edges);
  assert.equal(fromPlan.key, layoutKey(model.vertices, model.edges));
  assert.deepEqual(fromPlan, fromModel);
  // plain data: it survives a structured clone (the worker's postMessage) unchanged
  assert.deepEqual(structuredClone(fromPlan), fromPlan);
  // without figures the boxes are where they are with them (the watermark line is always drawn)
  const bare = jobGraphModel(plan, undefined);
  assert.equal(layoutKey(bare.vertices, bare.edges), fromPlan.key);
});

test('the layout key changes with the shape: a vertex, a chained operator, an edge or its partitioning', () => {
  const { vertices, edges } = planShape(plan);
  const key = layoutKey(vertices, edges);
  assert.notEqual(layoutKey(vertices.slice(1), edges), key);
  assert.notEqual(layoutKey(vertices.map((v, i) => (i === 0 ? { ...v, operators: [...v.operators, 'Map'] } : v)), edges), key);
  assert.notEqual(layoutKey(vertices, edges.slice(1)), key);
  assert.notEqual(layoutKey(vertices, edges.map((e, i) => (i === 0 ? { ...e, label: 'REBALANCE' } : e))), key);
});
