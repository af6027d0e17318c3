import { defineJob } from '@rivulet/api';
import { burn } from '../lib/cpu-burn.js';

/**
 * bench/cores: a CPU-heavy map (`--iterations` rounds per record, calibrated
 * by the bench), then keyBy + reduce over `--keys` keys: the same keyed job at
 * parallelism 1 and 2, so half the records change subtask at parallelism 2.
 */
export default defineJob((env) => {
  const records = Number(env.getParameter('records'));
  const iterations = Number(env.getParameter('iterations'));
  const keys = Number(env.getParameter('keys'));
  env
    .fromSequence(1, records)
    .map((i) => ({ key: i % keys, value: burn(iterations, i) }))
    .keyBy((record) => record.key)
    .reduce((a, b) => ({ key: a.key, value: (a.value + b.value) | 0 }))
    .addSink(() => undefined);
}, { name: 'bench-cores' });
