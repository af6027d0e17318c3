/**
 * The timers of a keyed operator in both time domains (Flink's
 * InternalTimerService): processing-time timers fire when the clock passes
 * them, event-time timers when the watermark does. Both are queues of the
 * same kind (ProcessingTimeTimerService: one timer per key and timestamp,
 * firing in timestamp order, stored per key group), and both are stored in
 * one snapshot per key group (TIMERS_FORMAT with `eventTimers` beside
 * `timers`; snapshots from before event time have no `eventTimers` and
 * restore with none), so they move by key group on rescale like the state.
 */
import { StateSnapshotError } from './errors.js';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import { keyGroupSnapshotOf, type KeyGroupSnapshot } from './key-group-snapshot.js';
import { ProcessingTimeTimerService, type ProcessingTimeTimerServiceOptions } from './processing-time-timer-service.js';
import { TIMERS_FORMAT, decodeTimersSnapshot, encodeSnapshot } from './snapshot-codec.js';

export class KeyedTimers {
  readonly processing: ProcessingTimeTimerService;
  readonly event: ProcessingTimeTimerService;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    options: ProcessingTimeTimerServiceOptions = {},
  ) {
    this.processing = new ProcessingTimeTimerService(backend, options);
    this.event = new ProcessingTimeTimerService(backend, options);
  }

  /** A point-in-time snapshot of the owned groups with timers of either kind (pairs collected now, encoded later). */
  snapshot(): KeyGroupSnapshot {
    const encoders = new Map<number, () => Uint8Array>();
    const { maxParallelism } = this.backend;
    for (const keyGroup of this.backend.ownedKeyGroups()) {
      if (this.processing.size(keyGroup) === 0 && this.event.size(keyGroup) === 0) continue;
      const timers = this.processing.timersOf(keyGroup);
      const eventTimers = this.event.timersOf(keyGroup);
      encoders.set(keyGroup, () =>
        encodeSnapshot({ format: TIMERS_FORMAT, maxParallelism, keyGroup, timers, ...(eventTimers.length > 0 ? { eventTimers } : {}) }, { shared: true }),
      );
    }
    return keyGroupSnapshotOf(encoders);
  }

  /** Replaces both kinds of timers of owned `keyGroup` with those in `bytes`. */
  restoreKeyGroup(keyGroup: number, bytes: Uint8Array): void {
    const { operatorId, maxParallelism } = this.backend;
    let decoded: ReturnType<typeof decodeTimersSnapshot>;
    try {
      decoded = decodeTimersSnapshot(bytes, maxParallelism, keyGroup);
    } catch (cause) {
      throw new StateSnapshotError(operatorId, keyGroup, cause instanceof Error ? cause.message : String(cause), { cause });
    }
    this.processing.restoreTimers(keyGroup, decoded.timers);
    this.event.restoreTimers(keyGroup, decoded.eventTimers ?? []);
  }
}
