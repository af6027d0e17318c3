import { parentPort } from 'node:worker_threads';
import { layoutGraph } from '../model/graph-layout.js';
import { planShape } from '../model/job-graph-model.js';
import type { JobPlanResponse } from '../model/rest-types.js';

/** PlanLayouts' thread: a job's plan (JSON text) in, its graph layout (JSON text) or an error message out. */
const port = parentPort;
if (port === null) throw new Error('plan-layout-worker.js runs as a worker thread of PlanLayouts');
port.on('message', ({ id, plan }: { id: number; plan: string }) => {
  try {
    const { vertices, edges } = planShape(JSON.parse(plan) as JobPlanResponse);
    port.postMessage({ id, layout: JSON.stringify(layoutGraph(vertices, edges)) });
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
