import { existsSync } from 'node:fs';
import { defineJob } from '@rivulet/api';

/**
 * A fast source into a slow stage behind a rebalance: a map spins
 * `slow-us` microseconds per record (synchronous user code, as a CPU-bound
 * function), so the channels of the keyBy fill and hold the source back —
 * a backpressured job, whose in-flight data an aligned barrier must wait
 * behind and an unaligned one overtakes. Records carry `pad` bytes of
 * padding (so batches hold a realistic amount of bytes). The counts go to
 * the exactly-once file sink: for every key, 1..total each appear once.
 * With `throttle-until FILE` the map stops spinning once FILE exists, so
 * a test that has seen what it needs lets the rest run at full speed.
 */
export default defineJob((env) => {
  const n = Number(env.getParameter('n'));
  const keys = Number(env.getParameter('keys'));
  const slowUs = Number(env.getParameter('slow-us', '200'));
  const pad = 'x'.repeat(Number(env.getParameter('pad', '100')));
  const throttleUntil = env.getParameter('throttle-until', '');
  let throttled = slowUs > 0;
  let seen = 0;
  env
    .fromSequence(0, n - 1)
    .uid('numbers')
    .map((i) => ({ key: `k${i % keys}`, count: 1, pad }))
    .rebalance()
    .map((record) => {
      seen += 1;
      if (throttled && throttleUntil !== '' && seen % 500 === 0 && existsSync(throttleUntil)) throttled = false;
      if (throttled) {
        const until = performance.now() + slowUs / 1000;
        while (performance.now() < until) {
          // the slow stage: CPU-bound user code
        }
      }
      return { key: record.key, count: record.count };
    })
    .keyBy((record) => record.key)
    .sum('count')
    .uid('counts')
    .writeAsText(env.getParameter('output'))
    .uid('sink');
}, { name: 'checkpoint-backpressure' });
