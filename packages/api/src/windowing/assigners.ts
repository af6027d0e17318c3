import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, type Trigger } from './triggers.js';
import { GlobalWindow, TimeWindow, type Window } from './windows.js';

/**
 * Window assigners: which windows a record belongs to (Flink's
 * WindowAssigner and its built-ins, same names and semantics; durations are
 * milliseconds). Event-time assigners use the record's timestamp and fail
 * for a record without one; processing-time assigners use the TaskManager's
 * clock when the record arrives.
 */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

export interface WindowAssigner<T, W extends Window> {
  /** The windows of `element`; `timestamp` is its event timestamp (undefined when it has none). */
  assignWindows(element: T, timestamp: number | undefined, ctx: WindowAssignerContext): W[];
  getDefaultTrigger(): Trigger<T, W>;
  isEventTime(): boolean;
  /** Merging assigners (sessions): calls `merge` for every group of windows that become one. */
  mergeWindows?(windows: readonly W[], merge: (toBeMerged: W[], mergeResult: W) => void): void;
  toString(): string;
}

export class MissingTimestampError extends Error {
  constructor(assigner: string) {
    super(
      `${assigner} needs event timestamps, but a record has none: assign them with ` +
        'assignTimestampsAndWatermarks(WatermarkStrategy...withTimestampAssigner(...)) upstream, or use a processing-time assigner',
    );
    this.name = 'MissingTimestampError';
  }
}

function requireDuration(value: number, what: string, call: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${call}: ${what} must be a positive whole number of milliseconds, got ${String(value)}`);
}

function requireOffset(offset: number, bound: number, call: string): void {
  if (!Number.isSafeInteger(offset) || Math.abs(offset) >= bound) {
    throw new RangeError(`${call}: the offset must be a whole number of milliseconds with |offset| < ${bound}, got ${String(offset)}`);
  }
}

function eventTimestamp(timestamp: number | undefined, assigner: string): number {
  if (timestamp === undefined || Number.isNaN(timestamp)) throw new MissingTimestampError(assigner);
  return timestamp;
}

abstract class TumblingWindows<T> {
  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {}

  protected windowAt(timestamp: number): TimeWindow[] {
    const start = TimeWindow.windowStart(timestamp, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }

}

/** Windows of `size` ms, one after the other, by event time ([k·size + offset, (k+1)·size + offset)). */
export class TumblingEventTimeWindows<T = unknown> extends TumblingWindows<T> implements WindowAssigner<T, TimeWindow> {
  static of<T = unknown>(size: number, offset = 0): TumblingEventTimeWindows<T> {
    requireDuration(size, 'the size', 'TumblingEventTimeWindows.of');
    requireOffset(offset, size, 'TumblingEventTimeWindows.of');
    return new TumblingEventTimeWindows(size, offset);
  }
  assignWindows(_element: T, timestamp: number | undefined, _ctx?: WindowAssignerContext): TimeWindow[] {
    return this.windowAt(eventTimestamp(timestamp, String(this)));
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}

/** Windows of `size` ms, one after the other, by the TaskManager's clock. */
export class TumblingProcessingTimeWindows<T = unknown> extends TumblingWindows<T> implements WindowAssigner<T, TimeWindow> {
  static of<T = unknown>(size: number, offset = 0): TumblingProcessingTimeWindows<T> {
    requireDuration(size, 'the size', 'TumblingProcessingTimeWindows.of');
    requireOffset(offset, size, 'TumblingProcessingTimeWindows.of');
    return new TumblingProcessingTimeWindows(size, offset);
  }
  assignWindows(_element: T, _timestamp: number | undefined, ctx: WindowAssignerContext): TimeWindow[] {
    return this.windowAt(ctx.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  override toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}

abstract class SlidingWindows<T> {
  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {}

  /** Every window of `size` starting at a multiple of `slide` (+ offset) that holds `timestamp`, latest first (Flink's order). */
  protected windowsAt(timestamp: number): TimeWindow[] {
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.windowStart(timestamp, this.offset, this.slide);
    for (let start = lastStart; start > timestamp - this.size; start -= this.slide) windows.push(new TimeWindow(start, start + this.size));
    return windows;
  }

}

function checkSliding(size: number, slide: number, offset: number, call: string): void {
  requireDuration(size, 'the size', call);
  requireDuration(slide, 'the slide', call);
  requireOffset(offset, slide, call);
}

/** Windows of `size` ms starting every `slide` ms, by event time: a record is in ⌈size/slide⌉ windows. */
export class SlidingEventTimeWindows<T = unknown> extends SlidingWindows<T> implements WindowAssigner<T, TimeWindow> {
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingEventTimeWindows<T> {
    checkSliding(size, slide, offset, 'SlidingEventTimeWindows.of');
    return new SlidingEventTimeWindows(size, slide, offset);
  }
  assignWindows(_element: T, timestamp: number | undefined, _ctx?: WindowAssignerContext): TimeWindow[] {
    return this.windowsAt(eventTimestamp(timestamp, String(this)));
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}

/** Windows of `size` ms starting every `slide` ms, by the TaskManager's clock. */
export class SlidingProcessingTimeWindows<T = unknown> extends SlidingWindows<T> implements WindowAssigner<T, TimeWindow> {
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows<T> {
    checkSliding(size, slide, offset, 'SlidingProcessingTimeWindows.of');
    return new SlidingProcessingTimeWindows(size, slide, offset);
  }
  assignWindows(_element: T, _timestamp: number | undefined, ctx: WindowAssignerContext): TimeWindow[] {
    return this.windowsAt(ctx.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  override toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}

/**
 * Merges time windows that intersect (Flink's TimeWindow.mergeWindows):
 * sorted by start, each window joins the group before it when they
 * intersect; `merge` is called for each group of two or more.
 */
export function mergeTimeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  let current: { cover: TimeWindow; members: TimeWindow[] } | undefined;
  const groups: { cover: TimeWindow; members: TimeWindow[] }[] = [];
  for (const window of sorted) {
    if (current !== undefined && current.cover.intersects(window)) {
      current.cover = current.cover.cover(window);
      current.members.push(window);
    } else {
      current = { cover: window, members: [window] };
      groups.push(current);
    }
  }
  for (const group of groups) if (group.members.length > 1) merge(group.members, group.cover);
}

type GapExtractor<T> = (element: T) => number;

abstract class SessionWindows<T> {
  protected constructor(private readonly gap: number | GapExtractor<T>) {}

  protected sessionAt(element: T, timestamp: number): TimeWindow[] {
    const gap = typeof this.gap === 'number' ? this.gap : this.gap(element);
    if (!Number.isSafeInteger(gap) || gap <= 0) throw new RangeError(`${String(this)}: the dynamic gap must be a positive whole number of milliseconds, got ${String(gap)}`);
    return [new TimeWindow(timestamp, timestamp + gap)];
  }

  mergeWindows(windows: readonly TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    mergeTimeWindows(windows, merge);
  }

  protected describeGap(): string {
    return typeof this.gap === 'number' ? String(this.gap) : 'dynamic';
  }

}

/** Sessions by event time: a record opens [t, t + gap); sessions closer than the gap merge. */
export class EventTimeSessionWindows<T = unknown> extends SessionWindows<T> implements WindowAssigner<T, TimeWindow> {
  static withGap<T = unknown>(gap: number): EventTimeSessionWindows<T> {
    requireDuration(gap, 'the gap', 'EventTimeSessionWindows.withGap');
    return new EventTimeSessionWindows<T>(gap);
  }
  /** The gap of each record from the record itself. */
  static withDynamicGap<T>(extractor: GapExtractor<T>): EventTimeSessionWindows<T> {
    if (typeof extractor !== 'function') throw new TypeError('EventTimeSessionWindows.withDynamicGap: the gap extractor must be a function');
    return new EventTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, timestamp: number | undefined, _ctx?: WindowAssignerContext): TimeWindow[] {
    return this.sessionAt(element, eventTimestamp(timestamp, String(this)));
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return `EventTimeSessionWindows(${this.describeGap()})`;
  }
}

/** Sessions by the TaskManager's clock. */
export class ProcessingTimeSessionWindows<T = unknown> extends SessionWindows<T> implements WindowAssigner<T, TimeWindow> {
  static withGap<T = unknown>(gap: number): ProcessingTimeSessionWindows<T> {
    requireDuration(gap, 'the gap', 'ProcessingTimeSessionWindows.withGap');
    return new ProcessingTimeSessionWindows<T>(gap);
  }
  static withDynamicGap<T>(extractor: GapExtractor<T>): ProcessingTimeSessionWindows<T> {
    if (typeof extractor !== 'function') throw new TypeError('ProcessingTimeSessionWindows.withDynamicGap: the gap extractor must be a function');
    return new ProcessingTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, _timestamp: number | undefined, ctx: WindowAssignerContext): TimeWindow[] {
    return this.sessionAt(element, ctx.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  override toString(): string {
    return `ProcessingTimeSessionWindows(${this.describeGap()})`;
  }
}

/** One window per key holding every record; it fires only by a trigger (countWindow sets one). */
export class GlobalWindows<T = unknown> implements WindowAssigner<T, GlobalWindow> {
  private constructor() {}
  static create<T = unknown>(): GlobalWindows<T> {
    return new GlobalWindows<T>();
  }
  assignWindows(_element?: T, _timestamp?: number, _ctx?: WindowAssignerContext): GlobalWindow[] {
    return [GlobalWindow.INSTANCE];
  }
  getDefaultTrigger(): Trigger<T, GlobalWindow> {
    return new NeverTrigger();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return 'GlobalWindows()';
  }
}

export function isWindowAssigner(value: unknown): value is WindowAssigner<unknown, Window> {
  const a = value as Partial<WindowAssigner<unknown, Window>> | null;
  return typeof a === 'object' && a !== null && typeof a.assignWindows === 'function' && typeof a.getDefaultTrigger === 'function' && typeof a.isEventTime === 'function';
}
