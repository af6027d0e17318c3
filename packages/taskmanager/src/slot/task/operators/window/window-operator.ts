import type { KeySelector } from '@rivulet/api';
import { HeapKeyedStateBackend, KeyedTimers, type KeyGroupSnapshot } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { KeyedOperator } from '../keyed-operators.js';
import type { Output } from '../../output.js';
import { WindowOperatorCore } from './window-operator-core.js';
import type { WindowSpec } from './window-spec.js';
import { windowStatesOf } from './window-states.js';

/** Routes a window operator's side outputs (late data, ProcessWindowFunction's ctx.output) by tag id. */
export type SideOutputs = (tagId: string, record: unknown) => void;

/**
 * A keyed window operator at the head of a chain: records of a key go to
 * the core with their timestamp; a watermark fires the event-time window
 * timers at or before it (each window's result carries the window's
 * maxTimestamp), then goes on; the clock fires processing-time ones. Its
 * state and timers are those of a keyed operator: snapshotted and moved by
 * key group.
 */
export class WindowOperator implements KeyedOperator {
  private readonly timers: KeyedTimers;
  private readonly core: WindowOperatorCore;
  private currentWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly keySelector: KeySelector<unknown, unknown>,
    spec: WindowSpec,
    private readonly next: Output,
    private readonly timestamp: ElementTimestamp,
    private readonly watermarks: WatermarkSink,
    sideOutputs: SideOutputs,
  ) {
    this.timers = new KeyedTimers(backend);
    const emitWith = (output: (record: unknown) => void) => (record: unknown, at: number): void => {
      this.timestamp.value = at;
      output(record);
    };
    this.core = new WindowOperatorCore(spec, {
      states: windowStatesOf((name) => backend.getMapState(name)),
      eventQueue: this.timers.event,
      processingQueue: this.timers.processing,
      currentKey: () => backend.getCurrentKey(),
      currentWatermark: () => this.currentWatermark,
      currentProcessingTime: () => Date.now(),
      emit: emitWith((record) => this.next.collect(record)),
      ...(spec.lateDataTag !== undefined ? { emitLate: emitWith((record) => sideOutputs(spec.lateDataTag!, record)) } : {}),
      sideOutput: (tagId, record) => sideOutputs(tagId, record),
    });
  }

  /** Records dropped as too late (Flink's numLateRecordsDropped). */
  get lateRecordsDropped(): number {
    return this.core.lateRecordsDropped;
  }

  collect(record: unknown): void {
    this.backend.setCurrentKey(this.keySelector(record));
    this.core.processElement(record, this.timestamp.get());
  }

  processWatermark(watermark: number): void {
    if (!(watermark > this.currentWatermark)) return;
    this.currentWatermark = watermark;
    const event = this.timers.event;
    // Timers registered while firing at or before the watermark fire in this same pass.
    for (let due = event.advanceTo(watermark); due.length > 0; due = event.advanceTo(watermark)) {
      for (const timer of due) {
        this.backend.setCurrentKey(timer.key);
        this.core.onTimer('event', timer.timestamp);
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
      this.core.onTimer('processing', timer.timestamp);
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
}
