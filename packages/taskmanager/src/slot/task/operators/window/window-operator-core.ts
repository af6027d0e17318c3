import {
  windowFromId,
  type Collector,
  type EvictorContext,
  type OnMergeContext,
  type ProcessWindowContext,
  type TimestampedValue,
  type TriggerContext,
  type TriggerState,
  type Window,
} from '@rivulet/api';
import { clearScoped, scopedState, type WindowStates } from './window-states.js';
import { WindowTimers, type KeyTimerQueue } from './window-timers.js';
import { fires, purges, type WindowSpec } from './window-spec.js';

/** What the operator around the core provides: the current key's state, timer queues, clocks and outputs. */
export interface WindowOperatorServices {
  readonly states: WindowStates;
  readonly eventQueue: KeyTimerQueue;
  readonly processingQueue: KeyTimerQueue;
  currentKey(): unknown;
  currentWatermark(): number;
  currentProcessingTime(): number;
  /** Emits a window result with `timestamp` (the window's maxTimestamp). */
  emit(record: unknown, timestamp: number): void;
  /** A record too late for every window it belongs to (sideOutputLateData); undefined: dropped. */
  emitLate?(record: unknown, timestamp: number): void;
  /** ProcessWindowFunction's ctx.output(tag, value). */
  sideOutput(tagId: string, value: unknown): void;
}

type TimeDomain = 'event' | 'processing';

/**
 * The logic of a keyed window operator (Flink's WindowOperator and
 * EvictingWindowOperator), for the current key: assign a record to its
 * windows, merge sessions, ask the trigger, emit and purge, clean a window
 * up once the watermark passes its end plus the allowed lateness, and send
 * records too late for every window to the late side output.
 *
 * Invariants: a window's contents exist only between its first record and
 * its cleanup (or a purge); every window with contents has a cleanup timer
 * (but global windows, which never end); an event-time window is never
 * created or merged into once it is late.
 */
export class WindowOperatorCore {
  private readonly eventTimers: WindowTimers;
  private readonly processingTimers: WindowTimers;
  private readonly merging: boolean;
  /** Keep every element (process, or any function with an evictor) rather than one accumulator. */
  private readonly keepsElements: boolean;
  /** Records dropped as late without a side output (Flink's numLateRecordsDropped). */
  lateRecordsDropped = 0;

  constructor(
    private readonly spec: WindowSpec,
    private readonly services: WindowOperatorServices,
  ) {
    this.eventTimers = new WindowTimers(services.eventQueue, services.states.eventTimers, 'a window trigger\'s registerEventTimeTimer()');
    this.processingTimers = new WindowTimers(services.processingQueue, services.states.processingTimers, 'a window trigger\'s registerProcessingTimeTimer()');
    this.merging = typeof spec.assigner.mergeWindows === 'function';
    this.keepsElements = spec.evictor !== undefined || spec.fn.kind === 'process';
  }

  /** A record of the current key, with its event timestamp (undefined: none). */
  processElement(record: unknown, timestamp: number | undefined): void {
    const { assigner } = this.spec;
    const windows = assigner.assignWindows(record, timestamp, { getCurrentProcessingTime: () => this.services.currentProcessingTime() });
    let skipped = true;
    for (const assigned of windows) {
      const window = this.merging ? this.mergeIn(assigned) : assigned;
      if (this.isWindowLate(window)) {
        if (this.merging) this.retire(window);
        continue;
      }
      skipped = false;
      this.add(window, record, timestamp);
      const result = this.spec.trigger.onElement(record, timestamp ?? Number.NaN, window, this.triggerContext(window));
      if (fires(result)) this.fire(window);
      if (purges(result)) this.services.states.contents.remove(window.id);
      this.registerCleanupTimer(window);
    }
    if (skipped && timestamp !== undefined && this.isElementLate(timestamp)) {
      if (this.services.emitLate) this.services.emitLate(record, timestamp);
      else this.lateRecordsDropped += 1;
    }
  }

  /** The queue fired the current key's timer at `time` in `domain`. */
  onTimer(domain: TimeDomain, time: number): void {
    const timers = domain === 'event' ? this.eventTimers : this.processingTimers;
    for (const id of timers.take(time)) {
      if (this.merging && !this.services.states.active.contains(id)) continue; // merged into another session since
      const window = windowFromId(id);
      const ctx = this.triggerContext(window);
      const result = domain === 'event' ? this.spec.trigger.onEventTime(time, window, ctx) : this.spec.trigger.onProcessingTime(time, window, ctx);
      if (fires(result)) this.fire(window);
      if (purges(result)) this.services.states.contents.remove(id);
      if ((domain === 'event') === this.spec.assigner.isEventTime() && time === this.cleanupTime(window)) this.clearAllState(window);
    }
  }

  private add(window: Window, record: unknown, timestamp: number | undefined): void {
    const { contents } = this.services.states;
    const id = window.id;
    if (this.keepsElements) {
      const elements = (contents.get(id) as TimestampedValue<unknown>[] | undefined) ?? [];
      elements.push({ value: record, timestamp });
      contents.put(id, elements);
      return;
    }
    const fn = this.spec.fn;
    const present = contents.contains(id);
    if (fn.kind === 'reduce') contents.put(id, present ? fn.reduce(contents.get(id), record) : record);
    else if (fn.kind === 'aggregate') contents.put(id, fn.aggregate.add(record, present ? contents.get(id) : fn.aggregate.createAccumulator()));
  }

  /** Emits the window's result, if it has contents (Flink: a fire of an empty window emits nothing). */
  private fire(window: Window): void {
    const { contents } = this.services.states;
    const id = window.id;
    if (!contents.contains(id)) return;
    const fn = this.spec.fn;
    if (!this.keepsElements) {
      const acc = contents.get(id);
      this.emitResult(window, [fn.kind === 'aggregate' ? fn.aggregate.getResult(acc) : acc]);
      return;
    }
    const elements = [...(contents.get(id) as TimestampedValue<unknown>[])];
    const evictor = this.spec.evictor;
    const evictorContext: EvictorContext = {
      getCurrentProcessingTime: () => this.services.currentProcessingTime(),
      getCurrentWatermark: () => this.services.currentWatermark(),
    };
    evictor?.evictBefore(elements, elements.length, window, evictorContext);
    const values = elements.map((e) => e.value);
    if (fn.kind === 'reduce') {
      if (values.length > 0) this.emitResult(window, [values.reduce((a, b) => fn.reduce(a, b))]);
    } else if (fn.kind === 'aggregate') {
      let acc = fn.aggregate.createAccumulator();
      for (const value of values) acc = fn.aggregate.add(value, acc);
      this.emitResult(window, [fn.aggregate.getResult(acc)]);
    } else {
      this.emitResult(window, values);
    }
    if (evictor) {
      evictor.evictAfter(elements, elements.length, window, evictorContext);
      contents.put(id, elements);
    }
  }

  private emitResult(window: Window, inputs: readonly unknown[]): void {
    const timestamp = window.maxTimestamp();
    const process = this.spec.fn.process;
    if (process === undefined) {
      for (const value of inputs) this.services.emit(value, timestamp);
      return;
    }
    const out: Collector<unknown> = { collect: (record) => this.services.emit(record, timestamp) };
    process.process(this.services.currentKey(), this.processContext(window), inputs, out);
  }

  /** Adds `window` to the key's sessions, merging what it touches; returns the session the record belongs to. */
  private mergeIn(window: Window): Window {
    const { states } = this.services;
    const sessions = [...states.active.keys()].map(windowFromId);
    const all = sessions.some((s) => s.equals(window)) ? sessions : [...sessions, window];
    let result = window;
    this.spec.assigner.mergeWindows!(all, (members, cover) => {
      if (this.isWindowLate(cover)) {
        throw new Error(
          `merging sessions ${members.map(String).join(', ')} gives ${String(cover)}, which ends before the watermark ` +
            `(${this.services.currentWatermark()}) plus the allowed lateness: a merge cannot make a window end earlier`,
        );
      }
      const merged = members.filter((m) => !m.equals(cover) && states.active.contains(m.id));
      this.mergeContents(cover, members.filter((m) => states.contents.contains(m.id)));
      this.spec.trigger.onMerge?.(cover, this.mergeContext(cover, merged));
      for (const m of merged) {
        this.spec.trigger.clear(m, this.triggerContext(m));
        this.deleteCleanupTimer(m);
        clearScoped(states.trigger, m.id);
        clearScoped(states.windowFunction, m.id);
        states.active.remove(m.id);
      }
      if (members.some((m) => m.equals(window))) result = cover;
    });
    states.active.put(result.id, true);
    return result;
  }

  /** The contents of `members` combined into `cover` (elements appended in member order, accumulators merged). */
  private mergeContents(cover: Window, members: readonly Window[]): void {
    const { contents } = this.services.states;
    const fn = this.spec.fn;
    let combined: unknown;
    let any = false;
    for (const m of members) {
      const value = contents.get(m.id);
      if (!m.equals(cover)) contents.remove(m.id);
      if (!any) {
        combined = this.keepsElements ? [...(value as unknown[])] : value;
        any = true;
      } else if (this.keepsElements) {
        (combined as unknown[]).push(...(value as unknown[]));
      } else {
        combined = fn.kind === 'aggregate' ? fn.aggregate.merge(combined, value) : fn.kind === 'reduce' ? fn.reduce(combined, value) : combined;
      }
    }
    if (any) contents.put(cover.id, combined);
  }

  private retire(window: Window): void {
    const { states } = this.services;
    if (!states.contents.contains(window.id)) states.active.remove(window.id);
  }

  private clearAllState(window: Window): void {
    const { states } = this.services;
    states.contents.remove(window.id);
    this.spec.trigger.clear(window, this.triggerContext(window));
    this.spec.fn.process?.clear?.(this.processContext(window));
    clearScoped(states.trigger, window.id);
    clearScoped(states.windowFunction, window.id);
    states.active.remove(window.id);
  }

  /** When a window's state goes: its end plus the allowed lateness (event time), its end (processing time); never for a global window. */
  private cleanupTime(window: Window): number {
    const end = window.maxTimestamp();
    return this.spec.assigner.isEventTime() ? end + this.spec.allowedLateness : end;
  }

  private registerCleanupTimer(window: Window): void {
    const time = this.cleanupTime(window);
    if (!Number.isFinite(time)) return;
    (this.spec.assigner.isEventTime() ? this.eventTimers : this.processingTimers).register(time, window.id);
  }

  private deleteCleanupTimer(window: Window): void {
    const time = this.cleanupTime(window);
    if (!Number.isFinite(time)) return;
    (this.spec.assigner.isEventTime() ? this.eventTimers : this.processingTimers).delete(time, window.id);
  }

  private isWindowLate(window: Window): boolean {
    return this.spec.assigner.isEventTime() && this.cleanupTime(window) <= this.services.currentWatermark();
  }

  private isElementLate(timestamp: number): boolean {
    return this.spec.assigner.isEventTime() && timestamp + this.spec.allowedLateness <= this.services.currentWatermark();
  }

  private triggerContext(window: Window): TriggerContext {
    const s = this.services;
    const id = window.id;
    return {
      getCurrentProcessingTime: () => s.currentProcessingTime(),
      getCurrentWatermark: () => s.currentWatermark(),
      registerEventTimeTimer: (time) => this.eventTimers.register(checkedTime(time, 'registerEventTimeTimer'), id),
      registerProcessingTimeTimer: (time) => this.processingTimers.register(checkedTime(time, 'registerProcessingTimeTimer'), id),
      deleteEventTimeTimer: (time) => this.eventTimers.delete(time, id),
      deleteProcessingTimeTimer: (time) => this.processingTimers.delete(time, id),
      getState: <T>(name: string): TriggerState<T> => scopedState<T>(s.states.trigger, id, name),
    };
  }

  private mergeContext(cover: Window, merged: readonly Window[]): OnMergeContext {
    const base = this.triggerContext(cover);
    const triggerStates = this.services.states.trigger;
    return {
      ...base,
      mergeState: <T>(name: string, merge: (a: T, b: T) => T): void => {
        const values = [cover, ...merged].map((w) => scopedState<T>(triggerStates, w.id, name).value()).filter((v): v is T => v !== undefined);
        if (values.length > 0) scopedState<T>(triggerStates, cover.id, name).update(values.reduce(merge));
      },
    };
  }

  private processContext(window: Window): ProcessWindowContext<Window> {
    const s = this.services;
    return {
      window: () => window,
      currentProcessingTime: () => s.currentProcessingTime(),
      currentWatermark: () => s.currentWatermark(),
      windowState: <T>(name: string) => scopedState<T>(s.states.windowFunction, window.id, name),
      globalState: <T>(name: string) => scopedState<T>(s.states.global, 'global', name),
      output: (tag, value) => s.sideOutput(tag.id, value),
    };
  }
}

function checkedTime(time: number, call: string): number {
  if (typeof time !== 'number' || Number.isNaN(time)) throw new TypeError(`a window trigger called ${call}(${String(time)}): the time must be a number of milliseconds`);
  return time;
}
