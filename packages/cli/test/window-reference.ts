import { windowEvent, type WindowEvent } from './fixtures/window-events.js';
import type { WindowResult } from './fixtures/windows-job.js';

/**
 * What the windows of windows-job.ts must emit, computed by replaying the
 * same events in the same order as the job's single source emits them, with
 * its punctuated watermark (highest timestamp minus `delay`, after each
 * record) and Flink's window semantics: a window fires when the watermark
 * reaches its maxTimestamp, again for each record within the allowed
 * lateness, and is gone once the watermark reaches maxTimestamp + lateness;
 * a record whose every window is gone is dropped. The end of input is a
 * +Infinity watermark.
 */
interface Pane {
  key: string;
  start: number;
  end: number;
  sum: number;
  count: number;
  timerPending: boolean;
}

/** The values of the records the tumbling windows drop as late (what sideOutputLateData receives). */
export function referenceLateValues(n: number, keys: number, delay: number, lateness: number): number[] {
  const dropped: number[] = [];
  const events: WindowEvent[] = Array.from({ length: n }, (_, i) => windowEvent(i, keys));
  timeWindows(events, delay, lateness, (ts) => [startOf(ts, 1000)].map((s) => [s, s + 1000] as const), 'event-time', dropped);
  return dropped;
}

export function referenceWindows(kind: string, n: number, keys: number, delay: number, lateness: number): WindowResult[] {
  const events: WindowEvent[] = Array.from({ length: n }, (_, i) => windowEvent(i, keys));
  switch (kind) {
    case 'tumbling':
      return timeWindows(events, delay, lateness, (ts) => [startOf(ts, 1000)].map((s) => [s, s + 1000] as const), 'event-time');
    case 'sliding':
      return timeWindows(events, delay, lateness, (ts) => {
        const last = startOf(ts, 500);
        const windows: (readonly [number, number])[] = [];
        for (let s = last; s > ts - 1000; s -= 500) windows.push([s, s + 1000]);
        return windows;
      }, 'event-time');
    case 'tumbling-trigger':
      return timeWindows(events, delay, 0, (ts) => [startOf(ts, 1000)].map((s) => [s, s + 1000] as const), 'count-3');
    case 'session':
      return sessions(events, delay, 300);
    case 'count':
      return countWindows(events, 4);
    case 'count-sliding':
      return slidingCountWindows(events, 4, 2);
    case 'time-evictor':
      return evictedTumbling(events, delay, 1000, 300);
    default:
      throw new Error(`no reference for ${kind}`);
  }
}

function startOf(ts: number, size: number): number {
  const r = ts % size;
  return ts - (r < 0 ? r + size : r);
}

function timeWindows(
  events: readonly WindowEvent[],
  delay: number,
  lateness: number,
  assign: (ts: number) => (readonly [number, number])[],
  trigger: 'event-time' | 'count-3',
  dropped: number[] = [],
): WindowResult[] {
  const out: WindowResult[] = [];
  const panes = new Map<string, Pane>();
  let watermark = Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const emit = (p: Pane): void => void out.push({ key: p.key, start: p.start, end: p.end, sum: p.sum, count: p.count });
  const advance = (to: number): void => {
    watermark = to;
    const due = [...panes.values()].sort((a, b) => a.end - b.end);
    for (const p of due) {
      const maxTs = p.end - 1;
      if (trigger === 'event-time' && p.timerPending && maxTs <= watermark) {
        p.timerPending = false;
        emit(p);
      }
      if (maxTs + lateness <= watermark) panes.delete(`${p.key}|${p.start}`);
    }
  };
  for (const e of events) {
    let added = false;
    for (const [start, end] of assign(e.ts)) {
      if (end - 1 + lateness <= watermark) continue; // the window is gone: late for it
      added = true;
      const id = `${e.key}|${start}`;
      let p = panes.get(id);
      if (!p) {
        p = { key: e.key, start, end, sum: 0, count: 0, timerPending: false };
        panes.set(id, p);
      }
      p.sum += e.value;
      p.count += 1;
      if (trigger === 'count-3') {
        if (p.count % 3 === 0) emit(p);
      } else if (end - 1 <= watermark) {
        emit(p); // late within the allowed lateness: fires again at once
      } else {
        p.timerPending = true;
      }
    }
    if (!added && e.ts + lateness <= watermark) dropped.push(e.value);
    if (e.ts > max) {
      max = e.ts;
      if (max - delay > watermark) advance(max - delay);
    }
  }
  advance(Number.POSITIVE_INFINITY);
  return out;
}

function sessions(events: readonly WindowEvent[], delay: number, gap: number): WindowResult[] {
  const out: WindowResult[] = [];
  let active: Pane[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const advance = (to: number): void => {
    watermark = to;
    const fired = active.filter((p) => p.end - 1 <= watermark).sort((a, b) => a.end - b.end);
    for (const p of fired) out.push({ key: p.key, start: p.start, end: p.end, sum: p.sum, count: p.count });
    active = active.filter((p) => p.end - 1 > watermark);
  };
  for (const e of events) {
    if (e.ts <= watermark) continue; // late (the job's settings make none)
    let pane: Pane = { key: e.key, start: e.ts, end: e.ts + gap, sum: e.value, count: 1, timerPending: true };
    const touching = active.filter((p) => p.key === e.key && p.start <= pane.end && p.end >= pane.start);
    for (const p of touching) pane = { ...pane, start: Math.min(pane.start, p.start), end: Math.max(pane.end, p.end), sum: pane.sum + p.sum, count: pane.count + p.count };
    // A cover can reach further sessions of the key: merge until nothing more touches.
    for (let more = true; more;) {
      const next = active.filter((p) => p.key === e.key && !touching.includes(p) && p.start <= pane.end && p.end >= pane.start);
      more = next.length > 0;
      for (const p of next) {
        touching.push(p);
        pane = { ...pane, start: Math.min(pane.start, p.start), end: Math.max(pane.end, p.end), sum: pane.sum + p.sum, count: pane.count + p.count };
      }
    }
    active = [...active.filter((p) => !touching.includes(p)), pane];
    if (e.ts > max) {
      max = e.ts;
      if (max - delay > watermark) advance(max - delay);
    }
  }
  advance(Number.POSITIVE_INFINITY);
  return out;
}

function countWindows(events: readonly WindowEvent[], size: number): WindowResult[] {
  const out: WindowResult[] = [];
  const pending = new Map<string, number[]>();
  for (const e of events) {
    const values = pending.get(e.key) ?? [];
    values.push(e.value);
    if (values.length === size) {
      out.push({ key: e.key, start: -1, end: -1, sum: values.reduce((a, b) => a + b, 0), count: 0 });
      pending.set(e.key, []);
    } else {
      pending.set(e.key, values);
    }
  }
  return out;
}

/** countWindow(size, slide): every `slide` records of a key, the last `size` of them (CountTrigger + CountEvictor). */
function slidingCountWindows(events: readonly WindowEvent[], size: number, slide: number): WindowResult[] {
  const out: WindowResult[] = [];
  const seen = new Map<string, number[]>();
  for (const e of events) {
    const values = seen.get(e.key) ?? [];
    values.push(e.value);
    seen.set(e.key, values);
    if (values.length % slide === 0) {
      const last = values.slice(-size);
      out.push({ key: e.key, start: -1, end: -1, sum: last.reduce((a, b) => a + b, 0), count: last.length });
    }
  }
  return out;
}

/**
 * Tumbling windows with a TimeEvictor: each window fires once (no late
 * records: the delay covers the jitter) with only the records whose
 * timestamp is more than `keepMs` before the window's newest evicted.
 */
function evictedTumbling(events: readonly WindowEvent[], delay: number, size: number, keepMs: number): WindowResult[] {
  const panes = new Map<string, WindowEvent[]>();
  for (const e of events) {
    const start = startOf(e.ts, size);
    const id = `${e.key}|${start}`;
    panes.set(id, [...(panes.get(id) ?? []), e]);
  }
  void delay;
  return [...panes.entries()].map(([id, list]) => {
    const [key, start] = id.split('|');
    const newest = Math.max(...list.map((e) => e.ts));
    const kept = list.filter((e) => e.ts > newest - keepMs);
    return { key: key!, start: Number(start), end: Number(start) + size, sum: kept.reduce((s, e) => s + e.value, 0), count: kept.length };
  });
}

/** Results as sorted strings, for comparing multisets. */
export function canonical(results: readonly WindowResult[]): string[] {
  return results.map((r) => `${r.key} [${r.start},${r.end}) sum=${r.sum} count=${r.count}`).sort();
}
