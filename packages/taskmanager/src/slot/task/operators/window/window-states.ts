import type { MapState, TriggerState } from '@rivulet/api';

/** The keyed states a window operator keeps (all MapState of the current key, so they snapshot and rescale by key group). */
export interface WindowStates {
  /** window id → accumulator (reduce, aggregate) or the elements (process, evictor). */
  readonly contents: MapState<string, unknown>;
  /** window id → true, for merging assigners: the sessions of the key (a session stays after a purge until its cleanup). */
  readonly active: MapState<string, true>;
  /** `${window id}|${name}` → value: triggers' state per window. */
  readonly trigger: MapState<string, unknown>;
  /** `${window id}|${name}` → value: ProcessWindowFunction's windowState. */
  readonly windowFunction: MapState<string, unknown>;
  /** name → value: ProcessWindowFunction's globalState. */
  readonly global: MapState<string, unknown>;
  readonly eventTimers: MapState<number, string[]>;
  readonly processingTimers: MapState<number, string[]>;
}

export function windowStatesOf(getMapState: <K, V>(name: string) => MapState<K, V>): WindowStates {
  return {
    contents: getMapState('window-contents'),
    active: getMapState('window-active'),
    trigger: getMapState('window-trigger-state'),
    windowFunction: getMapState('window-function-state'),
    global: getMapState('window-global-state'),
    eventTimers: getMapState('window-event-timers'),
    processingTimers: getMapState('window-processing-timers'),
  };
}

/** Entry `${prefix}|${name}` of `map` as a TriggerState. */
export function scopedState<T>(map: MapState<string, unknown>, prefix: string, name: string): TriggerState<T> {
  const key = `${prefix}|${name}`;
  return {
    value: () => map.get(key) as T | undefined,
    update: (value) => (value === undefined ? map.remove(key) : map.put(key, value)),
    clear: () => map.remove(key),
  };
}

/** Removes every `${prefix}|…` entry of `map` (the current key's entries only: a handful). */
export function clearScoped(map: MapState<string, unknown>, prefix: string): void {
  const start = `${prefix}|`;
  const doomed: string[] = [];
  for (const key of map.keys()) if (key.startsWith(start)) doomed.push(key);
  for (const key of doomed) map.remove(key);
}
