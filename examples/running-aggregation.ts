import { defineJob, type ValueState } from '@rivulet/api';

interface Reading {
  readonly sensor: string;
  readonly value: number;
}

interface SensorStats {
  readonly sensor: string;
  readonly count: number;
  readonly mean: number;
  readonly max: number;
}

/**
 * A keyed running aggregation over a generated sequence: for each of 16
 * sensors, the count, mean and maximum of its readings so far, kept in keyed
 * state by a process function.
 *
 *   pnpm rivulet run examples/running-aggregation.ts [-- --records N --output DIR]
 */
export default defineJob(
  (env) => {
    const records = Number(env.getParameter('records', '1000000'));
    const output = env.getParameter('output', '.rivulet/output/running-aggregation');
    env
      .fromSequence(1, records)
      .map((i): Reading => ({ sensor: `sensor-${i % 16}`, value: (i * 7919) % 1000 }))
      .keyBy((reading) => reading.sensor)
      .process<SensorStats>(createStatsFunction())
      .uid('sensor-stats')
      .filter((stats) => stats.count % 10_000 === 0)
      .writeAsText(output);
  },
  { name: 'running-aggregation' },
);

function createStatsFunction() {
  let stats: ValueState<{ count: number; sum: number; max: number }>;
  return {
    open(context: { getValueState<T>(name: string): ValueState<T> }) {
      stats = context.getValueState('stats');
    },
    processElement(reading: Reading, _context: unknown, out: { collect(value: SensorStats): void }) {
      const previous = stats.value() ?? { count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
      const next = { count: previous.count + 1, sum: previous.sum + reading.value, max: Math.max(previous.max, reading.value) };
      stats.update(next);
      out.collect({ sensor: reading.sensor, count: next.count, mean: next.sum / next.count, max: next.max });
    },
  };
}
