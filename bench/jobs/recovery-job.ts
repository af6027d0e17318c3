import { appendFileSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { defineJob, type Collector, type KeyedContext, type KeyedProcessFunction, type RuntimeContext, type SinkFunction, type ValueState } from '@rivulet/api';

/**
 * bench/recovery: a keyed count over `keys` keys (default 1M) fed by a source
 * that never ends, so the state stays at ~1M entries while TaskManagers are
 * killed. Every sink instance (each attempt of each subtask) appends its
 * progress to its own file `<progress>/<uuid>.log` — `time,records` on its
 * first record and then at most every 50 ms — from which the benchmark reads
 * when records flowed again after a kill and when the rate was back.
 */
class Count implements KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;

  open(context: RuntimeContext): void {
    this.count = context.getValueState<number>('count', 0);
  }

  processElement(key: number, _context: KeyedContext<number>, out: Collector<number>): void {
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    out.collect(next);
  }
}

class ProgressSink implements SinkFunction<number> {
  private readonly file: string;
  private records = 0;
  private lastWrite = 0;

  constructor(folder: string) {
    mkdirSync(folder, { recursive: true });
    this.file = join(folder, `${randomUUID()}.log`);
  }

  invoke(): undefined {
    this.records += 1;
    if (this.records === 1 || (this.records & 1023) === 0) {
      const now = Date.now();
      if (this.records === 1 || now - this.lastWrite >= 50) {
        this.lastWrite = now;
        appendFileSync(this.file, `${now},${this.records}\n`);
      }
    }
    return undefined;
  }
}

export default defineJob(
  (env) => {
    const keys = Number(env.getParameter('keys', '1000000'));
    const progress = env.getParameter('progress');
    env
      .fromSequence(0, Number.MAX_SAFE_INTEGER - 1)
      .map((i) => i % keys)
      .keyBy((key) => key)
      .process(new Count())
      .uid('recovery-bench-counts')
      .addSink(new ProgressSink(progress));
  },
  { name: 'bench-recovery' },
);
