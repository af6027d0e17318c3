import { defineJob } from '@rivulet/api';

/** bench/shuffle: keyed word count, parallelism 2 over 2 TaskManagers (half the records cross the network). */
export default defineJob((env) => {
  const records = Number(env.getParameter('records'));
  const words = Array.from({ length: Number(env.getParameter('vocabulary')) }, (_, i) => `word${i}`);
  env
    .fromSequence(0, records - 1)
    .map((i) => ({ word: words[(i * 2654435761) % words.length]!, count: 1 }))
    .keyBy((record) => record.word)
    .sum('count')
    .addSink(() => undefined);
}, { name: 'bench-shuffle' });
