import { defineJob } from '@rivulet/api';

/** bench/pipeline: source -> map -> filter -> keyed count, parallelism 1, one TaskManager. */
export default defineJob((env) => {
  const records = Number(env.getParameter('records'));
  const keys = Number(env.getParameter('keys'));
  const stringKeys = env.getParameter('key-type', 'number') === 'string';
  env
    .fromSequence(1, records)
    .map((i) => ({ key: stringKeys ? `key-${i % keys}` : i % keys, value: i }))
    .filter((record) => record.value % 3 !== 0)
    .keyBy((record) => record.key)
    .reduce((a, b) => ({ key: a.key, value: a.value + 1 }))
    .addSink(() => undefined);
}, { name: 'bench-pipeline' });
