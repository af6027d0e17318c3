import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PlanLayouts } from '../../src/node/plan-layouts.js';
import { layoutKey, type GraphLayout } from '../../src/model/graph-shape.js';
import { planShape } from '../../src/model/job-graph-model.js';
import type { JobPlanResponse } from '../../src/model/rest-types.js';

/** A chain of `vertices` vertices, each behind a rescale edge: the shape bench/dashboard draws. */
function chainPlan(vertices: number): JobPlanResponse {
  return {
    jid: 'j', name: 'chain',
    plan: {
      nodes: Array.from({ length: vertices }, (_, i) => ({
        id: `v${i}`, description: `Step ${i}`, parallelism: 2, operators: [`Step ${i}`], keyed: false, source: i === 0,
        inputs: i === 0 ? [] : [{ id: `v${i - 1}`, ship_strategy: 'RESCALE' }],
      })),
    },
  };
}

const layouts = new PlanLayouts({ capacity: 2 });
after(() => layouts.close());

test('a plan is laid out on the thread: every vertex placed, the key of its shape', async () => {
  const plan = chainPlan(5);
  const layout = JSON.parse(await layouts.layoutOf('job-a', JSON.stringify(plan))) as GraphLayout;
  const shape = planShape(plan);
  assert.equal(layout.key, layoutKey(shape.vertices, shape.edges));
  assert.deepEqual(layout.vertices.map((v) => v.id), ['v0', 'v1', 'v2', 'v3', 'v4']);
  assert.equal(layout.edges.length, 4);
  for (let i = 1; i < 5; i++) assert.ok(layout.vertices[i]!.x > layout.vertices[i - 1]!.x, 'left to right');
});

test('once per job and plan: the same answer again; a changed plan is laid out anew; the oldest job goes beyond capacity', async () => {
  const plan = JSON.stringify(chainPlan(3));
  const first = layouts.layoutOf('job-b', plan);
  assert.equal(layouts.layoutOf('job-b', plan), first);
  const changed = JSON.stringify(chainPlan(4));
  const second = layouts.layoutOf('job-b', changed);
  assert.notEqual(second, first);
  assert.equal((JSON.parse(await second) as GraphLayout).vertices.length, 4);
  const c = layouts.layoutOf('job-c', plan);
  const d = layouts.layoutOf('job-d', plan); // capacity 2: job-b goes
  await Promise.all([c, d]);
  assert.equal(layouts.layoutOf('job-c', plan), c);
  assert.notEqual(layouts.layoutOf('job-b', changed), second);
});

test('a plan that cannot be laid out fails with the reason, and is tried again next time', async () => {
  await assert.rejects(layouts.layoutOf('job-bad', '{"plan": 42}'), /cannot lay out the job graph/);
  await assert.rejects(layouts.layoutOf('job-bad', 'not json'), /cannot lay out the job graph/);
  const layout = JSON.parse(await layouts.layoutOf('job-bad', JSON.stringify(chainPlan(2)))) as GraphLayout;
  assert.equal(layout.vertices.length, 2);
});

test('a layout over its time fails with the limit; a new thread lays out what comes next', async () => {
  const bounded = new PlanLayouts({ timeoutMs: 800 });
  try {
    // dagre takes ~1.7 s for a chain of 1,200 vertices on this machine
    await assert.rejects(bounded.layoutOf('big', JSON.stringify(chainPlan(1200))), /took more than 800 ms/);
    const layout = JSON.parse(await bounded.layoutOf('small', JSON.stringify(chainPlan(3)))) as GraphLayout;
    assert.equal(layout.vertices.length, 3);
  } finally {
    await bounded.close();
  }
});

test('close ends the thread: a layout under way fails, saying why', async () => {
  const closing = new PlanLayouts();
  const underWay = closing.layoutOf('big', JSON.stringify(chainPlan(600)));
  await closing.close();
  await assert.rejects(underWay, /the JobManager is stopping/);
});
