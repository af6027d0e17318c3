/**
 * The windows a keyed window operator groups records into (Flink's
 * `TimeWindow` and `GlobalWindow`). A window is a value: two windows with the
 * same bounds are the same window, whatever object holds them; `id` is the
 * string the runtime keys window state and timers by.
 */

/** A time interval [start, end) in milliseconds (Flink's TimeWindow). */
export class TimeWindow {
  readonly kind = 'time' as const;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** The largest timestamp that still belongs to the window: `end - 1`. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** True when the two windows overlap or touch (Flink: `start <= other.end && end >= other.start`); session windows merge then. */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window that covers both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  get id(): string {
    return `${this.start}:${this.end}`;
  }

  equals(other: Window): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of size `windowSize` shifted by `offset` that
   * holds `timestamp` (Flink's getWindowStartWithOffset; right for negative
   * timestamps too).
   */
  static windowStart(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset + windowSize) % windowSize;
    return timestamp - (remainder < 0 ? remainder + windowSize : remainder);
  }
}

/** The one window of GlobalWindows: it never ends by time (maxTimestamp is +Infinity). */
export class GlobalWindow {
  readonly kind = 'global' as const;
  static readonly INSTANCE = new GlobalWindow();

  private constructor() {}

  maxTimestamp(): number {
    return Number.POSITIVE_INFINITY;
  }

  get id(): string {
    return 'global';
  }

  equals(other: Window): boolean {
    return other instanceof GlobalWindow;
  }

  toString(): string {
    return 'GlobalWindow';
  }
}

export type Window = TimeWindow | GlobalWindow;

/** The window whose `id` is `id` (the inverse of `window.id`). */
export function windowFromId(id: string): Window {
  if (id === 'global') return GlobalWindow.INSTANCE;
  const colon = id.indexOf(':');
  const start = Number(id.slice(0, colon));
  const end = Number(id.slice(colon + 1));
  if (colon < 0 || !Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`not a window id: ${JSON.stringify(id)}`);
  return new TimeWindow(start, end);
}
