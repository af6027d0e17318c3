import type { AggregateFunction, Evictor, ProcessWindowFunction, ReduceFunction, Trigger, Window, WindowAssigner } from '@rivulet/api';

/** How a window's contents become its result (WindowedStream.reduce / aggregate / process). */
export type WindowFunctionSpec =
  | { readonly kind: 'reduce'; readonly reduce: ReduceFunction<unknown>; readonly process?: ProcessWindowFunction<unknown, unknown, unknown, Window> }
  | { readonly kind: 'aggregate'; readonly aggregate: AggregateFunction<unknown, unknown, unknown>; readonly process?: ProcessWindowFunction<unknown, unknown, unknown, Window> }
  | { readonly kind: 'process'; readonly process: ProcessWindowFunction<unknown, unknown, unknown, Window> };

/** Everything a window operator is configured with (Flink's WindowOperator arguments). */
export interface WindowSpec {
  readonly assigner: WindowAssigner<unknown, Window>;
  /** The assigner's default when the job set none. */
  readonly trigger: Trigger<unknown, Window>;
  readonly evictor?: Evictor<unknown, Window>;
  /** Milliseconds after the end of a window (event time) during which late records still update it. */
  readonly allowedLateness: number;
  readonly fn: WindowFunctionSpec;
  /** Where late records go when they are dropped (sideOutputLateData); undefined: dropped and counted. */
  readonly lateDataTag?: string;
}

/** Fires and purges of a TriggerResult. */
export const fires = (result: string): boolean => result === 'FIRE' || result === 'FIRE_AND_PURGE';
export const purges = (result: string): boolean => result === 'PURGE' || result === 'FIRE_AND_PURGE';
