import type { KeyedProcessFunction, KeySelector, OperatorFunctions, ReduceFunction } from '../functions.js';
import type { OperatorSpec, RecordedInput, RecordingGraph } from '../graph/recording-graph.js';
import type { KeyValue, NumericField } from '../record-types.js';
import { SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';
import { extremumReducer, type ExtremumAggregation } from './extremum-reducers.js';
import { sumReducer } from './sum-reducer.js';
import { WindowedStream } from './windowed-stream.js';
import { JobGraphError } from '../errors.js';
import { BroadcastStream, KeyedBroadcastConnectedStream } from './broadcast-stream.js';
import { KeyedConnectedStreams, requireDistinctInputs } from './connected-streams.js';
import { IntervalJoin } from './interval-join.js';
import { GlobalWindows, type WindowAssigner } from '../windowing/assigners.js';
import { CountEvictor } from '../windowing/evictors.js';
import { CountTrigger, PurgingTrigger, type Trigger } from '../windowing/triggers.js';
import type { GlobalWindow, Window } from '../windowing/windows.js';

type KeyedTemplate = Omit<OperatorSpec, 'inputs' | 'keyed' | 'functions'>;

/**
 * A stream partitioned by key (Flink's KeyedStream<T, KEY> — note the type
 * arguments are <K, T> here). It is not an operator itself: the next
 * operator is keyed (`keyed: true`), its input edge is 'hash', and its
 * OperatorFunctions carry the key selector, which the upstream producers use
 * to route each record to the subtask owning the record's key group.
 */
export class KeyedStream<K extends KeyValue, T> {
  readonly #graph: RecordingGraph;
  /** The producers' edges (several after a union), each re-partitioned 'hash' here. */
  readonly #origins: readonly RecordedInput[];
  readonly #keySelector: KeySelector<unknown, unknown>;
  /** Phantom members: keep K and T part of the type. */
  declare readonly keyType?: K;
  declare readonly recordType?: T;

  /** @internal Created by DataStream.keyBy; not for job code. */
  constructor(graph: RecordingGraph, origins: readonly RecordedInput[], keySelector: KeySelector<T, K>) {
    this.#graph = graph;
    this.#origins = origins.map((origin) => ({
      source: origin.source,
      partitioning: 'hash',
      ...(origin.sideOutput !== undefined ? { sideOutput: origin.sideOutput } : {}),
    }));
    this.#keySelector = keySelector as KeySelector<unknown, unknown>;
  }

  /** @internal The 'hash' edges an operator reading this keyed stream gets (connect, joins). */
  inputEdges(): readonly RecordedInput[] {
    return this.#origins;
  }

  /** @internal The key selector. */
  keySelector(): KeySelector<unknown, unknown> {
    return this.#keySelector;
  }

  /** @internal The graph this stream belongs to. */
  recordingGraph(): RecordingGraph {
    return this.#graph;
  }

  /**
   * Rolling reduce per key: emits, for every record, the reduction of all
   * records of its key so far (the first record of a key is emitted as is).
   */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    requireFunction(fn, 'reduce()');
    return this.#keyed({ kind: 'reduce', variant: 'user', name: 'Keyed Reduce', params: {} }, (keySelector) => ({
      kind: 'reduce',
      keySelector,
      fn: fn as ReduceFunction<unknown>,
    }));
  }

  /** Rolling sum per key of a stream of numbers. */
  sum(this: KeyedStream<K, number>): SingleOutputStreamOperator<number>;
  /**
   * Rolling sum per key of a numeric field: emits the first record of the key
   * with `field` replaced by the running total (other fields as in the first record).
   */
  sum(field: NumericField<T>): SingleOutputStreamOperator<T>;
  sum(
    this: KeyedStream<K, T> | KeyedStream<K, number>,
    field?: string,
  ): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<number> {
    const fn = sumReducer(field ?? null);
    return this.#keyed<T>({ kind: 'reduce', variant: 'sum', name: 'Keyed Sum', params: { field: field ?? null } }, (keySelector) => ({
      kind: 'reduce',
      keySelector,
      fn,
    }));
  }

  /** Rolling minimum per key of a stream of numbers. */
  min(this: KeyedStream<K, number>): SingleOutputStreamOperator<number>;
  /**
   * Rolling minimum per key of a numeric field: emits the key's first record
   * with `field` replaced by the running minimum (other fields as in the first
   * record, as Flink's `min(field)`; use minBy for the record holding the minimum).
   */
  min(field: NumericField<T>): SingleOutputStreamOperator<T>;
  min(this: KeyedStream<K, T> | KeyedStream<K, number>, field?: string): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<number> {
    return (this as KeyedStream<K, T>).#extremum('min', 'Keyed Min', field);
  }

  /** Rolling maximum per key of a stream of numbers. */
  max(this: KeyedStream<K, number>): SingleOutputStreamOperator<number>;
  /**
   * Rolling maximum per key of a numeric field: emits the key's first record
   * with `field` replaced by the running maximum (other fields as in the first
   * record, as Flink's `max(field)`; use maxBy for the record holding the maximum).
   */
  max(field: NumericField<T>): SingleOutputStreamOperator<T>;
  max(this: KeyedStream<K, T> | KeyedStream<K, number>, field?: string): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<number> {
    return (this as KeyedStream<K, T>).#extremum('max', 'Keyed Max', field);
  }

  /** Rolling minimum per key of a stream of numbers (as min()). */
  minBy(this: KeyedStream<K, number>): SingleOutputStreamOperator<number>;
  /**
   * Emits, per record, the key's record with the smallest `field` so far;
   * on a tie the first such record when `first` (default), else the latest.
   */
  minBy(field: NumericField<T>, first?: boolean): SingleOutputStreamOperator<T>;
  minBy(
    this: KeyedStream<K, T> | KeyedStream<K, number>,
    field?: string,
    first = true,
  ): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<number> {
    return (this as KeyedStream<K, T>).#extremum('minBy', 'Keyed Min By', field, first);
  }

  /** Rolling maximum per key of a stream of numbers (as max()). */
  maxBy(this: KeyedStream<K, number>): SingleOutputStreamOperator<number>;
  /**
   * Emits, per record, the key's record with the largest `field` so far;
   * on a tie the first such record when `first` (default), else the latest.
   */
  maxBy(field: NumericField<T>, first?: boolean): SingleOutputStreamOperator<T>;
  maxBy(
    this: KeyedStream<K, T> | KeyedStream<K, number>,
    field?: string,
    first = true,
  ): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<number> {
    return (this as KeyedStream<K, T>).#extremum('maxBy', 'Keyed Max By', field, first);
  }

  /** Per-record logic with keyed state (from open's RuntimeContext) and timers (from the context). */
  process<O>(fn: KeyedProcessFunction<K, T, O>): SingleOutputStreamOperator<O> {
    requireFunction(fn?.processElement, 'process() (the function\'s processElement)');
    return this.#keyed({ kind: 'process', variant: 'user', name: 'Keyed Process', params: {} }, (keySelector) => ({
      kind: 'process',
      keySelector,
      fn: fn as unknown as KeyedProcessFunction<unknown, unknown, unknown>,
    }));
  }

  /**
   * Connects two keyed streams (Flink's keyedA.connect(keyedB)): the records
   * of both with equal keys meet in one subtask and share the key's state;
   * process takes a KeyedCoProcessFunction. With a BroadcastStream: the
   * keyed broadcast state pattern (process takes a KeyedBroadcastProcessFunction).
   */
  connect<T2>(other: BroadcastStream<T2>): KeyedBroadcastConnectedStream<K, T, T2>;
  connect<T2>(other: KeyedStream<K, T2>): KeyedConnectedStreams<K, T, T2>;
  connect<T2>(other: KeyedStream<K, T2> | BroadcastStream<T2>): KeyedConnectedStreams<K, T, T2> | KeyedBroadcastConnectedStream<K, T, T2> {
    this.#graph.assertOpen();
    if (other instanceof BroadcastStream) {
      if (other.graph !== this.#graph) throw new JobGraphError('INVALID_ARGUMENT', 'connect(): the broadcast stream belongs to another job\'s environment');
      return new KeyedBroadcastConnectedStream<K, T, T2>(this.#graph, this.#origins, this.#keySelector, other);
    }
    if (!(other instanceof KeyedStream)) {
      throw new JobGraphError('INVALID_ARGUMENT', 'keyedStream.connect() needs a KeyedStream or a BroadcastStream (key the other stream with keyBy first)');
    }
    if (other.#graph !== this.#graph) throw new JobGraphError('INVALID_ARGUMENT', 'connect(): the other stream belongs to another job\'s environment');
    requireDistinctInputs('connect()', this.#origins, other.#origins);
    return new KeyedConnectedStreams<K, T, T2>(this.#graph, this.#origins, other.#origins, this.#keySelector, other.#keySelector);
  }

  /**
   * An interval join (Flink's intervalJoin): each record of this stream at
   * time t with each record of `other` of the same key at a time in
   * [t + lower, t + upper]: `.between(lower, upper).process(fn)`. Event time only.
   */
  intervalJoin<T2>(other: KeyedStream<K, T2>): IntervalJoin<K, T, T2> {
    this.#graph.assertOpen();
    if (!(other instanceof KeyedStream)) throw new JobGraphError('INVALID_ARGUMENT', 'intervalJoin() needs a KeyedStream (key the other stream with keyBy first)');
    if (other.#graph !== this.#graph) throw new JobGraphError('INVALID_ARGUMENT', 'intervalJoin(): the other stream belongs to another job\'s environment');
    requireDistinctInputs('intervalJoin()', this.#origins, other.#origins);
    return new IntervalJoin<K, T, T2>(this.#graph, this.#origins, other.#origins, this.#keySelector, other.#keySelector);
  }

  /** min/max/minBy/maxBy: reduce variants, so they checkpoint and rescale as reduce and sum do. */
  #extremum(aggregation: ExtremumAggregation, name: string, field: string | undefined, first?: boolean): SingleOutputStreamOperator<T> {
    const fn = extremumReducer(aggregation, field ?? null, first ?? true);
    const byRecord = aggregation === 'minBy' || aggregation === 'maxBy';
    const params = byRecord ? { field: field ?? null, first: first ?? true } : { field: field ?? null };
    return this.#keyed<T>({ kind: 'reduce', variant: aggregation, name, params }, (keySelector) => ({ kind: 'reduce', keySelector, fn }));
  }

  /**
   * Cuts each key's records into windows (Flink's window(assigner)), e.g.
   * `TumblingEventTimeWindows.of(60_000)`; finish with reduce, aggregate or process.
   */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(assigner, (template, functions) => this.#keyed(template, functions));
  }

  /**
   * Windows of `size` records per key (Flink's countWindow): with `slide`,
   * a window of the last `size` records every `slide` records.
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const assigner = GlobalWindows.create<T>();
    const make = (defaults: { trigger: Trigger<unknown, Window>; evictor?: CountEvictor }): WindowedStream<T, K, GlobalWindow> =>
      new WindowedStream<T, K, GlobalWindow>(assigner, (template, functions) => this.#keyed(template, functions), defaults);
    if (slide === undefined) return make({ trigger: PurgingTrigger.of(CountTrigger.of(size)) as Trigger<unknown, Window> });
    return make({ trigger: CountTrigger.of(slide) as Trigger<unknown, Window>, evictor: CountEvictor.of(size) });
  }

  #keyed<R>(
    template: KeyedTemplate,
    functions: (keySelector: KeySelector<unknown, unknown>) => OperatorFunctions,
  ): SingleOutputStreamOperator<R> {
    const operator = this.#graph.add({
      ...template,
      keyed: true,
      functions: functions(this.#keySelector),
      inputs: this.#origins,
    });
    return new SingleOutputStreamOperator<R>(this.#graph, operator);
  }
}
