import type { MapState } from '@rivulet/api';

/** The part of a keyed timer queue a window operator uses: one timer per (current key, time). */
export interface KeyTimerQueue {
  register(timestamp: number, call: string): void;
  delete(timestamp: number, call: string): void;
}

/**
 * Timers of (key, window, time) on top of a queue of (key, time) timers
 * (Flink's InternalTimerService with a window namespace): for the current
 * key, the window ids due at each time live in keyed MapState, so they are
 * checkpointed and moved by key group with the rest of the key's state, and
 * one queue timer per (key, time) wakes them all.
 */
export class WindowTimers {
  constructor(
    private readonly queue: KeyTimerQueue,
    private readonly due: MapState<number, string[]>,
    private readonly call: string,
  ) {}

  register(time: number, windowId: string): void {
    const ids = this.due.get(time);
    if (ids === undefined) {
      this.queue.register(time, this.call);
      this.due.put(time, [windowId]);
    } else if (!ids.includes(windowId)) {
      this.due.put(time, [...ids, windowId]);
    }
  }

  delete(time: number, windowId: string): void {
    const ids = this.due.get(time);
    if (ids === undefined || !ids.includes(windowId)) return;
    const rest = ids.filter((id) => id !== windowId);
    if (rest.length > 0) {
      this.due.put(time, rest);
    } else {
      this.due.remove(time);
      this.queue.delete(time, this.call);
    }
  }

  /** The queue fired (current key, time): the windows due then, forgotten here (firing may register them again). */
  take(time: number): string[] {
    const ids = this.due.get(time) ?? [];
    this.due.remove(time);
    return ids;
  }
}
