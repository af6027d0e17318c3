import type { Source, SourceSplit } from './connector/source.js';
import type { Sink } from './connector/sink.js';
import type { OutputTag } from './datastream/output-tag.js';
import type { WindowFunctions } from './datastream/windowed-stream.js';
import type { WatermarkStrategy } from './eventtime/watermark-strategy.js';
import type { CheckpointedFunction } from './operator-state.js';
import type { UserFunctionHooks } from './rich-functions.js';
import type { RuntimeContext, TimerService } from './state.js';
import type {
  BroadcastProcessFunction,
  BroadcastStateDescriptor,
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  ProcessJoinFunction,
} from './two-input-functions.js';

/** Receives the output of a function that may emit any number of records. */
export interface Collector<T> {
  collect(record: T): void;
}

export type KeySelector<T, K> = (value: T) => K;
export type MapFunction<T, R> = (value: T) => R;
export type FilterFunction<T> = (value: T) => boolean;
/** Emits through `out`, or returns an iterable of outputs (or both). */
export type FlatMapFunction<T, R> = (value: T, out: Collector<R>) => Iterable<R> | void;
export type ReduceFunction<T> = (accumulated: T, value: T) => T;
/**
 * partitionCustom's partitioner (Flink's Partitioner): the downstream
 * subtask, an integer in [0, numPartitions), for a record's key.
 */
export type Partitioner<K> = (key: K, numPartitions: number) => number;

/** The functions of a 'custom' edge: the key of each record, and the partitioner that maps it to a subtask. */
export interface CustomPartitioning {
  readonly partitioner: Partitioner<unknown>;
  readonly keySelector: KeySelector<unknown, unknown>;
}

export interface KeyedContext<K> {
  getCurrentKey(): K;
  timerService(): TimerService;
  /**
   * The event timestamp of the record being processed (undefined when it has
   * none: no timestamp was assigned upstream); in onTimer, the timer's time
   * for an event-time timer, undefined for a processing-time one (as Flink).
   */
  timestamp(): number | undefined;
  /** Emits `value` to side output `tag` (read downstream with getSideOutput(tag)); dropped when nothing reads it. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Which clock a timer belongs to (Flink's TimeDomain). */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** The context of onTimer: also says which kind of timer fired. */
export interface OnTimerContext<K> extends KeyedContext<K> {
  timeDomain(): TimeDomain;
}

/** Flink's KeyedProcessFunction: per-record logic with keyed state and timers. */
export interface KeyedProcessFunction<K, I, O> {
  open?(context: RuntimeContext): void | Promise<void>;
  processElement(value: I, context: KeyedContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, context: OnTimerContext<K>, out: Collector<O>): void;
  close?(): void | Promise<void>;
}

/**
 * The context of a ProcessFunction (process() on a non-keyed stream):
 * there is no key, so there are no timers.
 */
export interface ProcessContext {
  /** The record's timestamp; undefined while the record has none. */
  timestamp(): number | undefined;
  /**
   * The time service: currentProcessingTime() works; registering or deleting
   * a timer throws, as in Flink ("Setting timers is only supported on a keyed
   * streams."): timers need a key, use keyBy(...).process(...).
   */
  timerService(): TimerService;
  /** Emits `value` to side output `tag` (read downstream with getSideOutput(tag)); dropped when nothing reads it. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Flink's ProcessFunction on a non-keyed stream: per-record logic that may
 * emit any number of records. Its RuntimeContext has no keyed state.
 */
export interface ProcessFunction<I, O> {
  open?(context: RuntimeContext): void | Promise<void>;
  processElement(value: I, context: ProcessContext, out: Collector<O>): void;
  close?(): void | Promise<void>;
}

/** A user-defined sink: called for every record of its subtask; may keep operator list state (CheckpointedFunction). */
export interface SinkFunction<T> extends Partial<CheckpointedFunction> {
  open?(context: RuntimeContext): void | Promise<void>;
  invoke(value: T): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * The functions of one operator, looked up by operator id when a
 * TaskManager instantiates a subtask. `keySelector` is set on keyed
 * operators; producers upstream of a 'hash' edge use the target's selector.
 * `hooks`: the function object of a map/filter/flatMap given as one (open,
 * close, initializeState, snapshotState); `fn` is then its method, bound.
 */
export type OperatorFunctions =
  /**
   * `elements`: the values of fromElements; `source` and `watermarkStrategy`:
   * those of fromSource (all kept out of the JSON graph); absent for other sources.
   */
  | {
    readonly kind: 'source';
    readonly elements?: readonly unknown[];
    readonly source?: Source<unknown, SourceSplit, unknown>;
    readonly watermarkStrategy?: WatermarkStrategy<unknown>;
  }
  | { readonly kind: 'map'; readonly fn: MapFunction<unknown, unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'filter'; readonly fn: FilterFunction<unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'flatMap'; readonly fn: FlatMapFunction<unknown, unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'reduce'; readonly keySelector: KeySelector<unknown, unknown>; readonly fn: ReduceFunction<unknown> }
  | { readonly kind: 'process'; readonly keySelector: KeySelector<unknown, unknown>; readonly fn: KeyedProcessFunction<unknown, unknown, unknown> }
  /** process() on a non-keyed stream; `keyed: false` tells it from the keyed process above. */
  | { readonly kind: 'process'; readonly keyed: false; readonly fn: ProcessFunction<unknown, unknown> }
  | { readonly kind: 'timestamps'; readonly strategy: WatermarkStrategy<unknown> }
  | WindowFunctions
  /** `fn`: addSink's function; `sink`: sinkTo's Sink (connector/sink.ts). */
  | { readonly kind: 'sink'; readonly fn?: SinkFunction<unknown>; readonly sink?: Sink<unknown, unknown, unknown> }
  | TwoInputFunctions;

/** The key selectors of a keyed two-input operator: `keySelector` for input 1, `keySelector2` for input 2. */
interface TwoKeySelectors {
  readonly keySelector: KeySelector<unknown, unknown>;
  readonly keySelector2: KeySelector<unknown, unknown>;
}

/**
 * The functions of two-input operators (connect, broadcast state, interval
 * join). On a keyed one each 'hash' edge routes by its input's selector:
 * `keySelector` (input 1) or `keySelector2` (input 2; absent for a keyed
 * broadcast process, whose input 2 is 'broadcast').
 */
export type TwoInputFunctions =
  | ({ readonly kind: 'coMap'; readonly fn: CoMapFunction<unknown, unknown, unknown> } & Partial<TwoKeySelectors>)
  | ({ readonly kind: 'coFlatMap'; readonly fn: CoFlatMapFunction<unknown, unknown, unknown> } & Partial<TwoKeySelectors>)
  | { readonly kind: 'coProcess'; readonly keyed: false; readonly fn: CoProcessFunction<unknown, unknown, unknown> }
  | ({ readonly kind: 'coProcess'; readonly keyed: true; readonly fn: KeyedCoProcessFunction<unknown, unknown, unknown, unknown> } & TwoKeySelectors)
  | {
      readonly kind: 'broadcastProcess';
      readonly keyed: false;
      readonly descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[];
      readonly fn: BroadcastProcessFunction<unknown, unknown, unknown>;
    }
  | {
      readonly kind: 'broadcastProcess';
      readonly keyed: true;
      readonly keySelector: KeySelector<unknown, unknown>;
      readonly descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[];
      readonly fn: KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;
    }
  | ({
      readonly kind: 'intervalJoin';
      /** Right timestamps joined with a left one at t: [t + lower, t + upper], each bound inclusive unless said. */
      readonly lowerBound: number;
      readonly upperBound: number;
      readonly lowerBoundInclusive: boolean;
      readonly upperBoundInclusive: boolean;
      readonly fn: ProcessJoinFunction<unknown, unknown, unknown>;
    } & TwoKeySelectors);

/** The key selector a 'hash' edge into `functions` routes by: input 2's for an edge into a second input. */
export function keySelectorOfInput(functions: OperatorFunctions | undefined, input: 1 | 2): KeySelector<unknown, unknown> | undefined {
  if (functions === undefined) return undefined;
  if (input === 2) return 'keySelector2' in functions ? functions.keySelector2 : undefined;
  return 'keySelector' in functions ? functions.keySelector : undefined;
}
