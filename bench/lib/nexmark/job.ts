import type { StreamExecutionEnvironment } from '@rivulet/api';
import { DEFAULT_BASE_TIME } from './config.js';
import { nexmarkQuery } from './queries/index.js';
import type { ResultSink } from './queries/query.js';
import { nexmarkSource } from './source.js';

/** The collect sink's name when the job runs with `--sink collect`. */
export const COLLECT_NAME = 'nexmark';

function numberParameter(env: StreamExecutionEnvironment, name: string, defaultValue: string): number {
  const text = env.getParameter(name, defaultValue);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`nexmark job: --${name} must be a number, not '${text}'`);
  return value;
}

/**
 * Builds the Nexmark job: `--query` (generator, q0, q1, q2, q3, q5, q7, q8,
 * q11), `--events`, `--rate` (events per second of event time),
 * `--out-of-order-group` (Nexmark's outOfOrderGroupSize), `--watermark-ms`
 * (the bounded out-of-orderness), `--sink discard|collect`.
 */
export function buildNexmarkJob(env: StreamExecutionEnvironment): void {
  const query = nexmarkQuery(env.getParameter('query'));
  const sinkKind = env.getParameter('sink', 'discard');
  if (sinkKind !== 'discard' && sinkKind !== 'collect') throw new Error(`nexmark job: --sink must be 'discard' or 'collect', not '${sinkKind}'`);
  const events = nexmarkSource(env, {
    events: numberParameter(env, 'events', '1000000'),
    parallelism: env.getParallelism(),
    generator: {
      eventsPerSecond: numberParameter(env, 'rate', '100000'),
      outOfOrderGroupSize: numberParameter(env, 'out-of-order-group', '1'),
      baseTime: DEFAULT_BASE_TIME,
    },
    watermarkOutOfOrdernessMs: numberParameter(env, 'watermark-ms', '4000'),
  });
  const sink: ResultSink = (results) => {
    if (sinkKind === 'collect') results.collect(COLLECT_NAME);
    else results.addSink(() => undefined).name('Discard');
  };
  query(events, sink);
}
