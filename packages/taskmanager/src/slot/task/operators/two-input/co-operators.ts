import type {
  BroadcastContext,
  BroadcastProcessFunction,
  BroadcastStateDescriptor,
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  Collector,
  ProcessContext,
  ReadOnlyBroadcastContext,
  RuntimeContext,
  TwoInputFunctionHooks,
} from '@rivulet/api';
import type { OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { ChainMember, Output } from '../../output.js';
import { NonKeyedTimerService } from '../process-operator.js';
import { BroadcastStates } from './broadcast-states.js';
import type { TwoInputHead } from './two-input-head.js';

/**
 * The non-keyed two-input operators at a chain's head (Flink's CoStreamMap,
 * CoStreamFlatMap, CoProcessOperator, CoBroadcastWithNonKeyedOperator).
 * Each passes watermarks on and remembers the last one (ctx.currentWatermark()).
 */
abstract class NonKeyedTwoInputOperator implements TwoInputHead, ChainMember, WatermarkSink {
  abstract readonly first: Output;
  abstract readonly second: Output;
  protected watermark = -Infinity;

  constructor(
    private readonly hooks: TwoInputFunctionHooks,
    private readonly runtime: RuntimeContext,
    private readonly watermarks: WatermarkSink,
  ) {}

  processWatermark(timestamp: number): void {
    this.watermark = timestamp;
    this.watermarks.processWatermark(timestamp);
  }

  processWatermarkStatus(idle: boolean): void {
    this.watermarks.processWatermarkStatus(idle);
  }

  async open(): Promise<void> {
    await this.hooks.open?.(this.runtime);
  }

  async close(): Promise<void> {
    await this.hooks.close?.();
  }
}

export class CoMapOperator extends NonKeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;

  constructor(fn: CoMapFunction<unknown, unknown, unknown>, next: Output, runtime: RuntimeContext, watermarks: WatermarkSink) {
    super(fn, runtime, watermarks);
    this.first = { collect: (record) => next.collect(fn.map1(record)) };
    this.second = { collect: (record) => next.collect(fn.map2(record)) };
  }
}

export class CoFlatMapOperator extends NonKeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;

  constructor(fn: CoFlatMapFunction<unknown, unknown, unknown>, next: Output, runtime: RuntimeContext, watermarks: WatermarkSink) {
    super(fn, runtime, watermarks);
    const emitAll = (returned: Iterable<unknown> | void): void => {
      if (returned !== undefined && returned !== null) for (const value of returned) next.collect(value);
    };
    this.first = { collect: (record) => emitAll(fn.flatMap1(record, next as Collector<unknown>)) };
    this.second = { collect: (record) => emitAll(fn.flatMap2(record, next as Collector<unknown>)) };
  }
}

/** The context parts every non-keyed two-input function gets. */
function processContext(operator: string, timestamp: () => number | undefined, sideOutputs: (tagId: string, value: unknown) => void): ProcessContext {
  const timerService = new NonKeyedTimerService(operator);
  return { timestamp, timerService: () => timerService, output: (tag, value) => sideOutputs(tag.id, value) };
}

export class CoProcessOperator extends NonKeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;

  constructor(
    fn: CoProcessFunction<unknown, unknown, unknown>,
    next: Output,
    runtime: RuntimeContext,
    watermarks: WatermarkSink,
    operator: string,
    timestamp: () => number | undefined,
    sideOutputs: (tagId: string, value: unknown) => void,
  ) {
    super(fn, runtime, watermarks);
    const context = processContext(operator, timestamp, sideOutputs);
    this.first = { collect: (record) => fn.processElement1(record, context, next as Collector<unknown>) };
    this.second = { collect: (record) => fn.processElement2(record, context, next as Collector<unknown>) };
  }
}

/** connect(broadcastStream).process(BroadcastProcessFunction) on a non-keyed stream; its broadcast state is its operator state. */
export class BroadcastProcessOperator extends NonKeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;
  private readonly states: BroadcastStates;

  constructor(
    fn: BroadcastProcessFunction<unknown, unknown, unknown>,
    descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[],
    restored: OperatorListStateSnapshot | undefined,
    next: Output,
    runtime: RuntimeContext,
    watermarks: WatermarkSink,
    operator: string,
    timestamp: () => number | undefined,
    sideOutputs: (tagId: string, value: unknown) => void,
  ) {
    super(fn, runtime, watermarks);
    const states = new BroadcastStates(operator, descriptors, restored);
    this.states = states;
    const base = {
      ...processContext(operator, timestamp, sideOutputs),
      currentProcessingTime: () => Date.now(),
      currentWatermark: () => this.watermark,
    };
    const readOnly: ReadOnlyBroadcastContext = { ...base, getBroadcastState: (d) => states.get(d as BroadcastStateDescriptor<unknown, unknown>, false) as never };
    const readWrite: BroadcastContext = { ...base, getBroadcastState: (d) => states.get(d as BroadcastStateDescriptor<unknown, unknown>, true) as never };
    this.first = { collect: (record) => fn.processElement(record, readOnly, next as Collector<unknown>) };
    this.second = { collect: (record) => fn.processBroadcastElement(record, readWrite, next as Collector<unknown>) };
  }

  snapshotState(): OperatorListStateSnapshot | null {
    return this.states.snapshot();
  }
}
