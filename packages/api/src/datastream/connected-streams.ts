import { JobGraphError } from '../errors.js';
import type { KeySelector } from '../functions.js';
import type { RecordedInput, RecordingGraph } from '../graph/recording-graph.js';
import type { KeyValue } from '../record-types.js';
import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction } from '../two-input-functions.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';
import { addTwoInputOperator } from './two-input-operator.js';

/** Refuses connecting a stream with itself: both inputs would be one edge. */
export function requireDistinctInputs(call: string, first: readonly RecordedInput[], second: readonly RecordedInput[]): void {
  for (const edge of second) {
    if (first.some((e) => e.source === edge.source && e.sideOutput === edge.sideOutput)) {
      throw new JobGraphError(
        'INVALID_ARGUMENT',
        `${call}: the stream of operator '${edge.source.name}' is on both sides; give one side an operator of its own, e.g. .map((v) => v)`,
      );
    }
  }
}

function requireMethods(fn: unknown, call: string, names: readonly string[]): void {
  for (const name of names) requireFunction((fn as Record<string, unknown> | null | undefined)?.[name], `${call} (the function's ${name})`);
}

/**
 * Two streams connected (Flink's ConnectedStreams<IN1, IN2>): one operator
 * sees the records of both, each through its own method (`…1` for the stream
 * connect was called on, `…2` for its argument), and may share state between
 * them. The operator's watermark is the minimum of both inputs' watermarks.
 */
export class ConnectedStreams<IN1, IN2> {
  declare readonly firstType?: IN1;
  declare readonly secondType?: IN2;

  /** @internal Created by DataStream.connect; not for job code. */
  constructor(
    private readonly graph: RecordingGraph,
    private readonly first: readonly RecordedInput[],
    private readonly second: readonly RecordedInput[],
  ) {}

  /** One output per record of either input (Flink's CoMapFunction). */
  map<R>(fn: CoMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).map()', ['map1', 'map2']);
    const functions = { kind: 'coMap', fn: fn as CoMapFunction<unknown, unknown, unknown> } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coMap', variant: 'user', name: 'Co-Map', params: {} }, this.first, this.second, false, functions);
  }

  /** Any number of outputs per record of either input (Flink's CoFlatMapFunction). */
  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).flatMap()', ['flatMap1', 'flatMap2']);
    const functions = { kind: 'coFlatMap', fn: fn as CoFlatMapFunction<unknown, unknown, unknown> } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coFlatMap', variant: 'user', name: 'Co-Flat Map', params: {} }, this.first, this.second, false, functions);
  }

  /** Per-record logic on both inputs without keys (Flink's CoProcessFunction): no keyed state, no timers. */
  process<R>(fn: CoProcessFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).process()', ['processElement1', 'processElement2']);
    const functions = { kind: 'coProcess', keyed: false, fn: fn as CoProcessFunction<unknown, unknown, unknown> } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coProcess', variant: 'user', name: 'Co-Process', params: {} }, this.first, this.second, false, functions);
  }

  /**
   * Keys both inputs (Flink's ConnectedStreams.keyBy(key1, key2)): records
   * of either input with equal keys reach the same subtask and share that
   * key's state.
   */
  keyBy<K extends KeyValue>(keySelector1: KeySelector<IN1, K>, keySelector2: KeySelector<IN2, K>): KeyedConnectedStreams<K, IN1, IN2> {
    requireFunction(keySelector1, 'connect(...).keyBy() (the first key selector)');
    requireFunction(keySelector2, 'connect(...).keyBy() (the second key selector)');
    this.graph.assertOpen();
    return new KeyedConnectedStreams<K, IN1, IN2>(this.graph, this.first, this.second, keySelector1 as KeySelector<unknown, unknown>, keySelector2 as KeySelector<unknown, unknown>);
  }
}

/** Connected streams keyed on both inputs: process takes a KeyedCoProcessFunction (keyed state, timers). */
export class KeyedConnectedStreams<K extends KeyValue, IN1, IN2> {
  readonly #first: readonly RecordedInput[];
  readonly #second: readonly RecordedInput[];
  declare readonly keyType?: K;
  declare readonly firstType?: IN1;
  declare readonly secondType?: IN2;

  /** @internal Created by ConnectedStreams.keyBy and KeyedStream.connect; not for job code. */
  constructor(
    private readonly graph: RecordingGraph,
    first: readonly RecordedInput[],
    second: readonly RecordedInput[],
    private readonly keySelector1: KeySelector<unknown, unknown>,
    private readonly keySelector2: KeySelector<unknown, unknown>,
  ) {
    const hashed = (edge: RecordedInput): RecordedInput => ({ source: edge.source, partitioning: 'hash', ...(edge.sideOutput !== undefined ? { sideOutput: edge.sideOutput } : {}) });
    this.#first = first.map(hashed);
    this.#second = second.map(hashed);
  }

  map<R>(fn: CoMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).map()', ['map1', 'map2']);
    const functions = { kind: 'coMap', fn: fn as CoMapFunction<unknown, unknown, unknown>, ...this.#selectors() } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coMap', variant: 'user', name: 'Co-Map', params: {} }, this.#first, this.#second, true, functions);
  }

  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).flatMap()', ['flatMap1', 'flatMap2']);
    const functions = { kind: 'coFlatMap', fn: fn as CoFlatMapFunction<unknown, unknown, unknown>, ...this.#selectors() } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coFlatMap', variant: 'user', name: 'Co-Flat Map', params: {} }, this.#first, this.#second, true, functions);
  }

  /**
   * Per-record logic on both inputs with the key's state (shared by both
   * inputs) and timers in both domains (Flink's KeyedCoProcessFunction).
   */
  process<R>(fn: KeyedCoProcessFunction<K, IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireMethods(fn, 'connect(...).keyBy(...).process()', ['processElement1', 'processElement2']);
    const functions = { kind: 'coProcess', keyed: true, fn: fn as KeyedCoProcessFunction<unknown, unknown, unknown, unknown>, ...this.#selectors() } as const;
    return addTwoInputOperator<R>(this.graph, { kind: 'coProcess', variant: 'user', name: 'Keyed Co-Process', params: {} }, this.#first, this.#second, true, functions);
  }

  #selectors(): { keySelector: KeySelector<unknown, unknown>; keySelector2: KeySelector<unknown, unknown> } {
    return { keySelector: this.keySelector1, keySelector2: this.keySelector2 };
  }
}
