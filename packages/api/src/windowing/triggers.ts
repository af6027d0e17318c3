import type { GlobalWindow, TimeWindow, Window } from './windows.js';

/**
 * Triggers decide when a window's contents are emitted (FIRE) and dropped
 * (PURGE): Flink's Trigger, with the same built-ins and the same results.
 * A trigger object is shared by every key and window of its operator: keep
 * per-window data in `ctx.getState(...)`, never in the trigger's fields.
 */
export const TriggerResult = {
  CONTINUE: 'CONTINUE',
  FIRE: 'FIRE',
  PURGE: 'PURGE',
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',
} as const;
export type TriggerResult = (typeof TriggerResult)[keyof typeof TriggerResult];

/** Per (key, window) state of a trigger (Flink's getPartitionedState with a ValueStateDescriptor). */
export interface TriggerState<T> {
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/** What a trigger may use: the clocks, timers of the current key and window, and state of the current key and window. */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  /** The operator's current event-time watermark (-Infinity before the first). */
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  getState<T>(name: string): TriggerState<T>;
}

/** During a merge of session windows: the context of the new window, and a way to combine the merged windows' state. */
export interface OnMergeContext extends TriggerContext {
  /** Sets state `name` of the merged window to the combination (`merge`) of the values the merged windows held. */
  mergeState<T>(name: string, merge: (a: T, b: T) => T): void;
}

export interface Trigger<T, W extends Window = Window> {
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** True when the trigger supports merging windows (session windows require it). */
  canMerge?(): boolean;
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** The window is purged or expired: delete its timers and state. */
  clear(window: W, ctx: TriggerContext): void;
}

/** Fires once the watermark passes the end of the window (the default of event-time assigners); fires again for every late element within the allowed lateness. */
export class EventTimeTrigger implements Trigger<unknown, TimeWindow> {
  private constructor() {}
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }

  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE; // late, within the allowed lateness
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: TimeWindow, _ctx?: TriggerContext): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // Only if the watermark has not yet passed the end of the merged window (else it would fire at once, after the merge).
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}

/** Fires when the processing-time clock passes the end of the window (the default of processing-time assigners). */
export class ProcessingTimeTrigger implements Trigger<unknown, TimeWindow> {
  private constructor() {}
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }

  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
}

const COUNT_STATE = 'count';

/** Fires when the window holds `maxCount` elements (counted per window; the count restarts after firing). */
export class CountTrigger implements Trigger<unknown> {
  private constructor(private readonly maxCount: number) {}

  static of(maxCount: number): CountTrigger {
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`CountTrigger.of(${String(maxCount)}): the count must be a positive integer`);
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const state = ctx.getState<number>(COUNT_STATE);
    const count = (state.value() ?? 0) + 1;
    if (count >= this.maxCount) {
      state.clear();
      return TriggerResult.FIRE;
    }
    state.update(count);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergeState<number>(COUNT_STATE, (a, b) => a + b);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getState<number>(COUNT_STATE).clear();
  }

  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/** Turns every FIRE of `nested` into FIRE_AND_PURGE (the window is emptied after each firing). */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  private constructor(readonly nested: Trigger<T, W>) {}

  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }

  canMerge(): boolean {
    return this.nested.canMerge?.() === true;
  }

  onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge?.(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }
}

function purging(result: TriggerResult): TriggerResult {
  return result === TriggerResult.FIRE ? TriggerResult.FIRE_AND_PURGE : result;
}

/** GlobalWindows' default: never fires (a custom trigger or countWindow decides). */
export class NeverTrigger implements Trigger<unknown, GlobalWindow> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  canMerge(): boolean {
    return false;
  }
  clear(): void {}
}

export function isTrigger(value: unknown): value is Trigger<unknown> {
  const t = value as Partial<Trigger<unknown>> | null;
  return typeof t === 'object' && t !== null && typeof t.onElement === 'function' && typeof t.onEventTime === 'function' &&
    typeof t.onProcessingTime === 'function' && typeof t.clear === 'function';
}
