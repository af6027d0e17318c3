import { defineJob } from '@rivulet/api';

/**
 * bench/dashboard: a job of `--vertices` vertices (default 50) for the
 * dashboard to draw — a throttled source chain, `vertices - 2` maps each
 * behind a rescale edge (pointwise, so not chained, and cheap: subtask i
 * feeds subtask i), and a discarding sink. Each source subtask parks its
 * thread `--pause-ms` per record (Atomics.wait: no CPU), so the job keeps
 * records flowing without loading the machine.
 */
export default defineJob((env) => {
  const vertices = Number(env.getParameter('vertices', '50'));
  const pauseMs = Number(env.getParameter('pause-ms', '20'));
  const park = new Int32Array(new SharedArrayBuffer(4));
  let stream = env
    .fromSequence(0, 1_000_000_000_000)
    .uid('numbers')
    .map((i) => {
      Atomics.wait(park, 0, 0, pauseMs);
      return i;
    })
    .name('Throttle');
  for (let v = 2; v < vertices; v++) stream = stream.rescale().map((i) => i + 1).name(`Step ${v}`).uid(`step-${v}`);
  stream.rescale().addSink(() => undefined).name('Discard');
}, { name: 'bench-dashboard' });
