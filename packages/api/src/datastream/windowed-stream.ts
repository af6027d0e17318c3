import type { KeySelector, OperatorFunctions, ReduceFunction } from '../functions.js';
import type { OperatorSpec } from '../graph/recording-graph.js';
import type { KeyValue } from '../record-types.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';
import { isWindowAssigner, type WindowAssigner } from '../windowing/assigners.js';
import { isEvictor, type Evictor } from '../windowing/evictors.js';
import { isTrigger, type Trigger } from '../windowing/triggers.js';
import { toProcessWindowFunction, type AggregateFunction, type ProcessWindowFunction, type ProcessWindowFunctionLike } from '../windowing/window-functions.js';
import type { Window } from '../windowing/windows.js';
import { OutputTag } from './output-tag.js';

/** How the window's contents become its result, as recorded for the runtime (functions of kind 'window'). */
export type WindowFunctionDefinition =
  | { readonly kind: 'reduce'; readonly reduce: ReduceFunction<unknown>; readonly process?: ProcessWindowFunction<unknown, unknown, unknown, Window> }
  | { readonly kind: 'aggregate'; readonly aggregate: AggregateFunction<unknown, unknown, unknown>; readonly process?: ProcessWindowFunction<unknown, unknown, unknown, Window> }
  | { readonly kind: 'process'; readonly process: ProcessWindowFunction<unknown, unknown, unknown, Window> };

/** The functions of a window operator (OperatorFunctions of kind 'window'). */
export interface WindowFunctions {
  readonly kind: 'window';
  readonly keySelector: KeySelector<unknown, unknown>;
  readonly assigner: WindowAssigner<unknown, Window>;
  /** Set by trigger(); else the assigner's default. */
  readonly trigger?: Trigger<unknown, Window>;
  readonly evictor?: Evictor<unknown, Window>;
  readonly allowedLateness: number;
  readonly lateDataTag?: string;
  readonly fn: WindowFunctionDefinition;
}

type KeyedOperatorFactory = <R>(
  template: Omit<OperatorSpec, 'inputs' | 'keyed' | 'functions'>,
  functions: (keySelector: KeySelector<unknown, unknown>) => OperatorFunctions,
) => SingleOutputStreamOperator<R>;

/**
 * A keyed stream cut into windows (Flink's WindowedStream<T, K, W>): set the
 * trigger, evictor, allowed lateness and late-data side output, then give
 * the function that turns each window into results. Nothing is recorded in
 * the job graph until that function is given.
 */
export class WindowedStream<T, K extends KeyValue, W extends Window> {
  #trigger: Trigger<unknown, Window> | undefined;
  #evictor: Evictor<unknown, Window> | undefined;
  #allowedLateness = 0;
  #lateDataTag: OutputTag<T> | undefined;
  declare readonly keyType?: K;

  /** @internal Created by KeyedStream.window / countWindow; not for job code. */
  constructor(
    private readonly assigner: WindowAssigner<T, W>,
    private readonly keyed: KeyedOperatorFactory,
    defaults: { trigger?: Trigger<unknown, Window>; evictor?: Evictor<unknown, Window> } = {},
  ) {
    if (!isWindowAssigner(assigner)) throw new TypeError('window(assigner): not a window assigner (use TumblingEventTimeWindows.of(...), SlidingEventTimeWindows.of(...), EventTimeSessionWindows.withGap(...), GlobalWindows.create(), ... or an object with assignWindows, getDefaultTrigger and isEventTime)');
    this.#trigger = defaults.trigger;
    this.#evictor = defaults.evictor;
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    if (!isTrigger(trigger)) throw new TypeError('trigger(): not a trigger (an object with onElement, onEventTime, onProcessingTime and clear)');
    if (typeof this.assigner.mergeWindows === 'function' && trigger.canMerge?.() !== true) {
      throw new TypeError(`trigger(): ${String(this.assigner)} merges windows, so its trigger must support merging (canMerge() returning true, and onMerge)`);
    }
    this.#trigger = trigger as unknown as Trigger<unknown, Window>;
    return this;
  }

  /** Removes elements before and/or after the window function (keeps every element of a window). */
  evictor(evictor: Evictor<T, W>): this {
    if (!isEvictor(evictor)) throw new TypeError('evictor(): not an evictor (an object with evictBefore and evictAfter)');
    this.#evictor = evictor as unknown as Evictor<unknown, Window>;
    return this;
  }

  /** Keeps event-time windows this many ms past their end: late records update and fire them again. Default 0. */
  allowedLateness(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`allowedLateness(${String(ms)}): a whole number of milliseconds >= 0`);
    if (ms > 0 && !this.assigner.isEventTime()) throw new TypeError(`allowedLateness(): ${String(this.assigner)} is not an event-time assigner; lateness applies to event time only`);
    this.#allowedLateness = ms;
    return this;
  }

  /** Records too late for every window they belong to go to this side output instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    if (!(tag instanceof OutputTag)) throw new TypeError('sideOutputLateData(tag): the tag must be an OutputTag');
    this.#lateDataTag = tag;
    return this;
  }

  /** Incremental: combines each window's records as they arrive; emits the combination (or hands it to `process`). */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T>;
  reduce<R>(fn: ReduceFunction<T>, process: ProcessWindowFunctionLike<T, R, K, W>): SingleOutputStreamOperator<R>;
  reduce<R>(fn: ReduceFunction<T>, process?: ProcessWindowFunctionLike<T, R, K, W>): SingleOutputStreamOperator<T> | SingleOutputStreamOperator<R> {
    requireFunction(fn, 'window reduce()');
    return this.#record<R>('Window Reduce', {
      kind: 'reduce',
      reduce: fn as ReduceFunction<unknown>,
      ...(process !== undefined ? { process: this.#processFunction(process) } : {}),
    });
  }

  /** Incremental with an accumulator: emits getResult of each window's accumulator (or hands it to `process`). */
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): SingleOutputStreamOperator<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, process: ProcessWindowFunctionLike<V, R, K, W>): SingleOutputStreamOperator<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, process?: ProcessWindowFunctionLike<V, R, K, W>): SingleOutputStreamOperator<R> {
    for (const method of ['createAccumulator', 'add', 'getResult', 'merge'] as const) {
      if (typeof (fn as unknown as Record<string, unknown>)?.[method] !== 'function') throw new TypeError(`window aggregate(): the AggregateFunction has no ${method}() method`);
    }
    return this.#record('Window Aggregate', {
      kind: 'aggregate',
      aggregate: fn as unknown as AggregateFunction<unknown, unknown, unknown>,
      ...(process !== undefined ? { process: this.#processFunction(process as ProcessWindowFunctionLike<unknown, R, K, W>) } : {}),
    });
  }

  /** Keeps every record of a window and calls `fn` with all of them when it fires. */
  process<R>(fn: ProcessWindowFunctionLike<T, R, K, W>): SingleOutputStreamOperator<R> {
    return this.#record('Window Process', { kind: 'process', process: this.#processFunction(fn) });
  }

  #processFunction<I, R>(fn: ProcessWindowFunctionLike<I, R, K, W>): ProcessWindowFunction<unknown, unknown, unknown, Window> {
    const process = toProcessWindowFunction(fn);
    requireFunction(process?.process, 'the window\'s process function (its process method)');
    return process as unknown as ProcessWindowFunction<unknown, unknown, unknown, Window>;
  }

  #record<R>(name: string, fn: WindowFunctionDefinition): SingleOutputStreamOperator<R> {
    const assigner = this.assigner as unknown as WindowAssigner<unknown, Window>;
    const trigger = this.#trigger;
    const evictor = this.#evictor;
    const allowedLateness = this.#allowedLateness;
    const lateDataTag = this.#lateDataTag?.id;
    return this.keyed<R>(
      {
        kind: 'window',
        variant: fn.kind,
        name: `${name} ${String(assigner)}`,
        params: {
          assigner: String(assigner),
          ...(trigger ? { trigger: String(trigger.constructor?.name ?? 'custom') } : {}),
          ...(evictor ? { evictor: String(evictor.constructor?.name ?? 'custom') } : {}),
          allowedLateness,
          ...(lateDataTag !== undefined ? { lateDataTag } : {}),
        },
      },
      (keySelector) => ({
        kind: 'window',
        keySelector,
        assigner,
        ...(trigger ? { trigger } : {}),
        ...(evictor ? { evictor } : {}),
        allowedLateness,
        ...(lateDataTag !== undefined ? { lateDataTag } : {}),
        fn,
      }),
    );
  }
}
