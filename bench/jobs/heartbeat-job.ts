import { defineJob } from '@rivulet/api';
import { burn } from '../lib/cpu-burn.js';

/**
 * bench/heartbeat: a map burning `--iterations` rounds of CPU (calibrated by
 * the bench to ~5 ms) per record, in every slot; no shuffle, a discarding sink.
 */
export default defineJob((env) => {
  const records = Number(env.getParameter('records'));
  const iterations = Number(env.getParameter('iterations'));
  env
    .fromSequence(1, records)
    .map((i) => burn(iterations, i))
    .addSink(() => undefined);
}, { name: 'bench-heartbeat' });
