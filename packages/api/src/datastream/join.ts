import { JobGraphError } from '../errors.js';
import type { Collector, KeySelector } from '../functions.js';
import type { KeyValue } from '../record-types.js';
import type { WindowAssigner } from '../windowing/assigners.js';
import type { ProcessWindowContext } from '../windowing/window-functions.js';
import type { Window } from '../windowing/windows.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';

/** Combines one pair of a window join (Flink's JoinFunction): a function, or an object with `join`. */
export type JoinFunction<T1, T2, R> = ((first: T1, second: T2) => R) | { join(first: T1, second: T2): R };

/** A record of either side of a window join, tagged with its side (Flink's TaggedUnion). */
interface TaggedRecord {
  readonly side: 1 | 2;
  readonly value: unknown;
}

/**
 * A window join being described (Flink's JoinedStreams): `a.join(b)
 * .where(keyA).equalTo(keyB).window(assigner).apply(fn)`.
 *
 * As in Flink it is a co-group built of existing parts: each side is mapped
 * to a tagged record, the two are unioned, keyed by the side's key and
 * windowed; when a window fires, `fn` is called for every pair of a first
 * and a second record of that key and window (an inner join: nothing for a
 * key with records on one side only). Results carry the window's
 * maxTimestamp, as every window result does.
 */
export class JoinedStreams<T1, T2> {
  /** @internal Created by DataStream.join; not for job code. */
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
  ) {}

  /** The key of the first stream's records. */
  where<K extends KeyValue>(keySelector: KeySelector<T1, K>): JoinWhere<T1, T2, K> {
    requireFunction(keySelector, 'join(...).where()');
    return new JoinWhere<T1, T2, K>(this.first, this.second, keySelector);
  }
}

export class JoinWhere<T1, T2, K extends KeyValue> {
  /** @internal */
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
    private readonly keySelector1: KeySelector<T1, K>,
  ) {}

  /** The key of the second stream's records: pairs with equal keys are joined. */
  equalTo(keySelector: KeySelector<T2, K>): JoinEqualTo<T1, T2, K> {
    requireFunction(keySelector, 'join(...).where(...).equalTo()');
    return new JoinEqualTo<T1, T2, K>(this.first, this.second, this.keySelector1, keySelector);
  }
}

export class JoinEqualTo<T1, T2, K extends KeyValue> {
  /** @internal */
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
    private readonly keySelector1: KeySelector<T1, K>,
    private readonly keySelector2: KeySelector<T2, K>,
  ) {}

  /** The windows pairs are formed in, e.g. `TumblingEventTimeWindows.of(60_000)`. */
  window<W extends Window>(assigner: WindowAssigner<unknown, W>): WithWindow<T1, T2, K, W> {
    return new WithWindow<T1, T2, K, W>(this.first, this.second, this.keySelector1, this.keySelector2, assigner);
  }
}

export class WithWindow<T1, T2, K extends KeyValue, W extends Window> {
  /** @internal */
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
    private readonly keySelector1: KeySelector<T1, K>,
    private readonly keySelector2: KeySelector<T2, K>,
    private readonly assigner: WindowAssigner<unknown, W>,
  ) {}

  /** `fn(first, second)` for every pair of the same key and window. */
  apply<R>(fn: JoinFunction<T1, T2, R>): SingleOutputStreamOperator<R> {
    const join = typeof fn === 'function' ? fn : (fn as { join?: unknown } | null)?.join;
    requireFunction(join, 'join(...).window(...).apply() (the join function)');
    if (typeof fn !== 'function') {
      if (fn === null || typeof fn !== 'object') throw new JobGraphError('INVALID_ARGUMENT', 'join(...).window(...).apply() needs a function');
    }
    const pair = typeof fn === 'function' ? fn : (a: T1, b: T2): R => fn.join(a, b);
    const key1 = this.keySelector1;
    const key2 = this.keySelector2;
    const left = this.first.map((value): TaggedRecord => ({ side: 1, value })).name('Join: tag first');
    const right = this.second.map((value): TaggedRecord => ({ side: 2, value })).name('Join: tag second');
    return left
      .union(right)
      .keyBy((tagged): K => (tagged.side === 1 ? key1(tagged.value as T1) : key2(tagged.value as T2)))
      .window(this.assigner as WindowAssigner<TaggedRecord, W>)
      .process({
        process(_key: K, _context: ProcessWindowContext<W>, elements: readonly TaggedRecord[], out: Collector<R>): void {
          const firsts = elements.filter((e) => e.side === 1);
          if (firsts.length === 0) return;
          const seconds = elements.filter((e) => e.side === 2);
          for (const a of firsts) for (const b of seconds) out.collect(pair(a.value as T1, b.value as T2));
        },
      })
      .name('Window Join');
  }
}
