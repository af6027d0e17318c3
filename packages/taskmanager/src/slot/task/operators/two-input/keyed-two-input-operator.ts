import type { OnTimerContext, RuntimeContext, TimeDomain, TimerService, TwoInputFunctionHooks } from '@rivulet/api';
import type { HeapKeyedStateBackend, KeyGroupSnapshot } from '../../../state/index.js';
import { KeyedTimers } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { Output } from '../../output.js';
import type { KeyedOperator } from '../keyed-operators.js';
import type { TwoInputHead } from './two-input-head.js';

/** A fired timer: its key is current in the backend while the operator handles it. */
export interface FiredTimer {
  readonly timestamp: number;
  readonly domain: TimeDomain;
}

/**
 * The common part of keyed two-input operators (Flink's KeyedCoProcessOperator,
 * CoBroadcastWithKeyedOperator, IntervalJoinOperator): one keyed state
 * backend for both inputs (a key's state is shared by them), timers in both
 * domains, the watermark (the task combined both inputs' first) firing the
 * event-time timers at or before it, each with the timer's time as the
 * element timestamp, before it is passed on. `collect` is input 1.
 */
export abstract class KeyedTwoInputOperator implements KeyedOperator, TwoInputHead {
  abstract readonly first: Output;
  abstract readonly second: Output;
  protected readonly timers: KeyedTimers;
  protected readonly timerService: TimerService;
  protected currentWatermark = -Infinity;
  protected domain: TimeDomain = 'PROCESSING_TIME';
  /** The context of onTimer for functions that have one. */
  protected readonly timerContext: OnTimerContext<unknown>;

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly hooks: TwoInputFunctionHooks,
    private readonly runtime: RuntimeContext,
    protected readonly timestamp: ElementTimestamp,
    private readonly watermarks: WatermarkSink,
    protected readonly sideOutputs: (tagId: string, value: unknown) => void,
  ) {
    this.timers = new KeyedTimers(backend);
    const { processing, event } = this.timers;
    this.timerService = {
      currentProcessingTime: () => Date.now(),
      registerProcessingTimeTimer: (t) => processing.register(t, 'registerProcessingTimeTimer()'),
      deleteProcessingTimeTimer: (t) => processing.delete(t, 'deleteProcessingTimeTimer()'),
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: (t) => event.register(t, 'registerEventTimeTimer()'),
      deleteEventTimeTimer: (t) => event.delete(t, 'deleteEventTimeTimer()'),
    };
    this.timerContext = {
      getCurrentKey: () => backend.getCurrentKey(),
      timerService: () => this.timerService,
      output: (tag, value) => sideOutputs(tag.id, value),
      timestamp: () => timestamp.get(),
      timeDomain: () => this.domain,
    };
  }

  /** A timer of the current key fired. */
  protected abstract onTimer(timer: FiredTimer): void;

  collect(record: unknown): void {
    this.first.collect(record);
  }

  processWatermark(watermark: number): void {
    if (!(watermark > this.currentWatermark)) return;
    this.currentWatermark = watermark;
    const event = this.timers.event;
    if ((event.nextTimerTimestamp() ?? Infinity) <= watermark) {
      this.domain = 'EVENT_TIME';
      try {
        for (let due = event.advanceTo(watermark); due.length > 0; due = event.advanceTo(watermark)) {
          for (const timer of due) {
            this.backend.setCurrentKey(timer.key);
            this.timestamp.value = timer.timestamp;
            this.onTimer({ timestamp: timer.timestamp, domain: 'EVENT_TIME' });
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

  fireDueTimers(now: number): void {
    const next = this.timers.processing.nextTimerTimestamp();
    if (next === undefined || next > now) return;
    for (const timer of this.timers.processing.advanceTo(now)) {
      this.backend.setCurrentKey(timer.key);
      this.timestamp.value = NaN;
      this.onTimer({ timestamp: timer.timestamp, domain: 'PROCESSING_TIME' });
    }
  }

  msUntilNextTimer(now: number): number | undefined {
    const next = this.timers.processing.nextTimerTimestamp();
    return next === undefined ? undefined : Math.max(0, next - now);
  }

  /** Operator state besides the keyed state (broadcast state), or undefined. */
  protected snapshotOperatorState(): unknown {
    return undefined;
  }

  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot; operatorState?: unknown } {
    const operatorState = this.snapshotOperatorState();
    return { keyedState: this.backend.snapshot(), timers: this.timers.snapshot(), ...(operatorState !== undefined ? { operatorState } : {}) };
  }

  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined, timers: Uint8Array | undefined): void {
    if (keyedState) this.backend.restoreKeyGroup(keyGroup, keyedState);
    if (timers) this.timers.restoreKeyGroup(keyGroup, timers);
  }

  async open(): Promise<void> {
    await this.hooks.open?.(this.runtime);
  }

  async close(): Promise<void> {
    await this.hooks.close?.();
  }
}
