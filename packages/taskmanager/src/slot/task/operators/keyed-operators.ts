import type { Collector, KeyedProcessFunction, KeySelector, OnTimerContext, OperatorFunctions, ReduceFunction, RuntimeContext, TimeDomain, TimerService, ValueState } from '@rivulet/api';
import type { ChainedOperator, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import { EMPTY_KEY_GROUP_SNAPSHOT, HeapKeyedStateBackend, KeyedTimers, type KeyGroupSnapshot } from '../../state/index.js';
import type { ElementTimestamp } from '../event-time/element-timestamp.js';
import type { WatermarkSink } from '../event-time/watermark-sink.js';
import type { ChainMember, Output } from '../output.js';

/** A keyed operator at the head of a chain: owns its key groups' state and timers. */
export interface KeyedOperator extends Output, ChainMember, WatermarkSink {
  readonly backend: HeapKeyedStateBackend;
  /** Fires the timers due at `now` (processing time). */
  fireDueTimers(now: number): void;
  /** Milliseconds until the next timer, or undefined when none is set. */
  msUntilNextTimer(now: number): number | undefined;
  /**
   * Point-in-time snapshot of the owned key groups that hold state or timers,
   * taken at the barrier in O(groups) and serialized later (KeyGroupSnapshot).
   */
  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot };
  /** Restores key groups (before any record is processed). */
  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined, timers: Uint8Array | undefined): void;
}

export function runtimeContext(backend: HeapKeyedStateBackend, d: TaskDeploymentDescriptor, operatorId: string): RuntimeContext {
  return {
    operatorId,
    subtaskIndex: d.subtaskIndex,
    parallelism: d.parallelism,
    maxParallelism: d.maxParallelism,
    getValueState: (nameOrDescriptor, defaultValue) => backend.getValueState(nameOrDescriptor, defaultValue),
    getListState: (nameOrDescriptor) => backend.getListState(nameOrDescriptor),
    getMapState: (nameOrDescriptor) => backend.getMapState(nameOrDescriptor),
  };
}

/**
 * reduce / sum: keeps the running reduction per key in keyed state and
 * emits it after every record (Flink's streaming reduce).
 */
class ReduceOperator implements KeyedOperator {
  private readonly state: ValueState<unknown>;

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly keySelector: KeySelector<unknown, unknown>,
    private readonly fn: ReduceFunction<unknown>,
    private readonly next: Output,
    private readonly watermarks: WatermarkSink,
  ) {
    this.state = backend.getValueState('reduce');
  }

  processWatermark(timestamp: number): void {
    this.watermarks.processWatermark(timestamp);
  }

  processWatermarkStatus(idle: boolean): void {
    this.watermarks.processWatermarkStatus(idle);
  }

  collect(record: unknown): void {
    this.collectInKeyGroup(record, -1);
  }

  collectInKeyGroup(record: unknown, keyGroup: number): void {
    this.backend.setCurrentKeyInGroup(this.keySelector(record), keyGroup);
    const accumulated = this.state.value();
    const reduced = accumulated === undefined ? record : this.fn(accumulated, record);
    this.state.update(reduced);
    this.next.collect(reduced);
  }

  fireDueTimers(): void {}

  msUntilNextTimer(): undefined {
    return undefined;
  }

  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot } {
    return { keyedState: this.backend.snapshot(), timers: EMPTY_KEY_GROUP_SNAPSHOT };
  }

  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined): void {
    if (keyedState) this.backend.restoreKeyGroup(keyGroup, keyedState);
  }
}

/**
 * process(): the user's KeyedProcessFunction with keyed state and timers in
 * both domains. A watermark fires the event-time timers at or before it, in
 * timestamp order, each with the timer's time as the current element
 * timestamp, before it is forwarded; a processing-time timer's output has no
 * timestamp (as Flink).
 */
class ProcessOperator implements KeyedOperator {
  private readonly timers: KeyedTimers;
  private readonly context: OnTimerContext<unknown>;
  private currentWatermark = -Infinity;
  private domain: TimeDomain = 'PROCESSING_TIME';

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly keySelector: KeySelector<unknown, unknown>,
    private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>,
    private readonly next: Output,
    private readonly runtime: RuntimeContext,
    private readonly timestamp: ElementTimestamp,
    private readonly watermarks: WatermarkSink,
    sideOutputs: (tagId: string, value: unknown) => void,
  ) {
    this.timers = new KeyedTimers(backend);
    const { processing, event } = this.timers;
    const timerService: TimerService = {
      currentProcessingTime: () => Date.now(),
      registerProcessingTimeTimer: (t) => processing.register(t, 'registerProcessingTimeTimer()'),
      deleteProcessingTimeTimer: (t) => processing.delete(t, 'deleteProcessingTimeTimer()'),
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: (t) => event.register(t, 'registerEventTimeTimer()'),
      deleteEventTimeTimer: (t) => event.delete(t, 'deleteEventTimeTimer()'),
    };
    this.context = {
      getCurrentKey: () => backend.getCurrentKey(),
      timerService: () => timerService,
      output: (tag, value) => sideOutputs(tag.id, value),
      timestamp: () => timestamp.get(),
      timeDomain: () => this.domain,
    };
  }

  processWatermark(watermark: number): void {
    if (!(watermark > this.currentWatermark)) return;
    this.currentWatermark = watermark;
    const onTimer = this.fn.onTimer;
    const event = this.timers.event;
    if (onTimer !== undefined && (event.nextTimerTimestamp() ?? Infinity) <= watermark) {
      this.domain = 'EVENT_TIME';
      try {
        // Timers registered while firing at or before the watermark fire in this same pass.
        for (let due = event.advanceTo(watermark); due.length > 0; due = event.advanceTo(watermark)) {
          for (const timer of due) {
            this.backend.setCurrentKey(timer.key);
            this.timestamp.value = timer.timestamp;
            onTimer.call(this.fn, timer.timestamp, this.context, this.next as Collector<unknown>);
          }
        }
      } finally {
        this.domain = 'PROCESSING_TIME';
      }
    }
    this.watermarks.processWatermark(watermark);
  }

  processWatermarkStatus(idle: boolean): void {
    this.watermarks.processWatermarkStatus(idle);
  }

  async open(): Promise<void> {
    await this.fn.open?.(this.runtime);
  }

  collect(record: unknown): void {
    this.collectInKeyGroup(record, -1);
  }

  collectInKeyGroup(record: unknown, keyGroup: number): void {
    if (this.backend.hasPerRecordTtlCleanup) this.backend.cleanupExpiredPerRecord(); // TTL cleanupIncrementally(n, true)
    this.backend.setCurrentKeyInGroup(this.keySelector(record), keyGroup);
    this.fn.processElement(record, this.context, this.next as Collector<unknown>);
  }

  fireDueTimers(now: number): void {
    const next = this.timers.processing.nextTimerTimestamp();
    if (next === undefined || next > now || !this.fn.onTimer) return;
    for (const timer of this.timers.processing.advanceTo(now)) {
      this.backend.setCurrentKey(timer.key);
      this.timestamp.value = NaN;
      this.fn.onTimer(timer.timestamp, this.context, this.next as Collector<unknown>);
    }
  }

  msUntilNextTimer(now: number): number | undefined {
    const next = this.timers.processing.nextTimerTimestamp();
    return next === undefined ? undefined : Math.max(0, next - now);
  }

  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot } {
    return { keyedState: this.backend.snapshot(), timers: this.timers.snapshot() };
  }

  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined, timers: Uint8Array | undefined): void {
    if (keyedState) this.backend.restoreKeyGroup(keyGroup, keyedState);
    if (timers) this.timers.restoreKeyGroup(keyGroup, timers);
  }

  async close(): Promise<void> {
    await this.fn.close?.();
  }
}

export function createKeyedOperator(
  functions: Extract<OperatorFunctions, { kind: 'reduce' | 'process'; keySelector: KeySelector<unknown, unknown> }>,
  operator: ChainedOperator,
  descriptor: TaskDeploymentDescriptor,
  next: Output,
  timestamp: ElementTimestamp,
  watermarks: WatermarkSink,
  /** Side outputs of the chain (ctx.output), by OutputTag id. */
  sideOutputs: (tagId: string, value: unknown) => void,
): KeyedOperator {
  const backend = new HeapKeyedStateBackend({
    operatorId: operator.id,
    maxParallelism: descriptor.maxParallelism,
    keyGroups: descriptor.keyGroups,
  });
  if (functions.kind === 'reduce') return new ReduceOperator(backend, functions.keySelector, functions.fn, next, watermarks);
  return new ProcessOperator(backend, functions.keySelector, functions.fn, next, runtimeContext(backend, descriptor, operator.id), timestamp, watermarks, sideOutputs);
}
