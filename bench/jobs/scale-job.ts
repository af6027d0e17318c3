import { defineJob } from '@rivulet/api';

/**
 * The scale simulation's job (bench/scale and packages/cli/test/scale-simulation.test.ts):
 * an endless sequence source and a map with a sink, each at the job's
 * parallelism P, joined by `rescale` (pointwise: subtask i feeds subtask i),
 * so the job has 2P subtasks in P pipelined regions of two. It never runs
 * real records there: simulated TaskManagers only take its deployment.
 */
export default defineJob((env) => {
  env
    .fromSequence(1, Number.MAX_SAFE_INTEGER)
    .rescale()
    .map((i) => i)
    .addSink(() => undefined);
}, { name: 'scale-simulation' });
