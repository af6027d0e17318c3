import {
  defineJob,
  type Collector,
  type KeyedContext,
  type KeyedProcessFunction,
  type RuntimeContext,
  type SinkFunction,
  type ValueState,
} from '@rivulet/api';

/**
 * bench/checkpoint: keyed state of `keys` keys (default 1M) holding a value
 * of about `value-bytes` serialized bytes each (default 100: ~100 MB in
 * all), kept alive while checkpoints are taken.
 *
 * The source never ends (a finished source ends checkpointing): it counts
 * on and the keys repeat (`i % keys`), so after the first pass over the
 * keys the state has its full size and every later record rewrites one
 * key's value: the state changes between checkpoints, its size does not.
 *
 * A value is `{ count, text }`: `text` is a flat string unique to the key,
 * made once when the key first appears (value-bytes - 16 characters; the
 * record header and `count` make up the rest), then every update stores a
 * new object with the count incremented, as an immutable reduce would.
 *
 * `pace` (records/s per subtask, 0 = unpaced, the default) lets the sink slow
 * its subtask down once it has seen `keys` records. A sink can only slow a
 * job down by backpressure (its promise is awaited between batches), which
 * queues records ahead of every barrier; docs/benchmarks.md says why the
 * benchmark runs unpaced. `pace-after` (default `keys`) is how many records a
 * sink lets through before pacing: bench/restore passes 0 with a low pace so
 * that a restored job stays nearly idle while its other subtasks restore.
 */
interface Value {
  readonly count: number;
  readonly text: string;
}

class FixedSizeValue implements KeyedProcessFunction<number, number, number> {
  private value!: ValueState<Value>;

  constructor(private readonly textLength: number) {}

  open(context: RuntimeContext): void {
    this.value = context.getValueState<Value>('value');
  }

  processElement(key: number, _context: KeyedContext<number>, out: Collector<number>): void {
    const previous = this.value.value();
    this.value.update(previous === undefined ? { count: 1, text: textOf(key, this.textLength) } : { count: previous.count + 1, text: previous.text });
    out.collect(key);
  }
}

/** `<key>:....` of exactly `length` characters, as a flat (sequential) string, not a rope. */
function textOf(key: number, length: number): string {
  return Buffer.from(`${key}:`.padEnd(length, '.')).toString('latin1');
}

class PacingSink implements SinkFunction<number> {
  private seen = 0;
  private pacingSince = 0;
  private sleeping = false;

  constructor(private readonly after: number, private readonly perSecond: number) {}

  invoke(): Promise<void> | undefined {
    this.seen += 1;
    if (this.perSecond <= 0 || this.seen < this.after || this.sleeping) return undefined;
    if (this.pacingSince === 0) this.pacingSince = Date.now() - 1;
    const aheadMs = ((this.seen - this.after) / this.perSecond) * 1000 - (Date.now() - this.pacingSince);
    if (aheadMs < 1) return undefined;
    this.sleeping = true;
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        this.sleeping = false;
        resolve();
      }, aheadMs),
    );
  }
}

export default defineJob(
  (env) => {
    const keys = Number(env.getParameter('keys', '1000000'));
    const valueBytes = Number(env.getParameter('value-bytes', '100'));
    const pace = Number(env.getParameter('pace', '0'));
    const paceAfter = Number(env.getParameter('pace-after', String(keys)));
    env
      .fromSequence(0, Number.MAX_SAFE_INTEGER - 1)
      .map((i) => i % keys)
      .keyBy((key) => key)
      .process(new FixedSizeValue(Math.max(8, valueBytes - 16)))
      .uid('checkpoint-bench-state')
      .addSink(new PacingSink(paceAfter, pace));
  },
  { name: 'bench-checkpoint' },
);
