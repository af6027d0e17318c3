import type { TaskTimeSample } from '../../protocol/slot-messages.js';

/** A task's latest figures as `GET /status` shows them (watermarks: null before any, MAX_SAFE_INTEGER after the end). */
export interface TaskSampleView {
  readonly 'attempt-id': string;
  readonly 'records-in': number;
  readonly 'records-out': number;
  readonly 'records-in-per-second': number;
  readonly 'records-out-per-second': number;
  readonly 'bytes-in': number;
  readonly 'bytes-out': number;
  readonly 'bytes-in-per-second': number;
  readonly 'bytes-out-per-second': number;
  readonly 'busy-time-ms-per-second': number;
  readonly 'idle-time-ms-per-second': number;
  readonly 'backpressured-time-ms-per-second': number;
  readonly 'input-watermark': number | null;
  readonly 'output-watermark': number | null;
  readonly 'sampled-at': number;
}

/** JSON has no infinities: -Infinity (no watermark yet) is null, +Infinity (input ended) Number.MAX_SAFE_INTEGER. */
export function watermarkJson(value: number): number | null {
  if (value === -Infinity || Number.isNaN(value)) return null;
  return value === Infinity ? Number.MAX_SAFE_INTEGER : value;
}

/**
 * The latest sample of every running task on this TaskManager, with its
 * record rates over the sample's interval (the slot threads sample every
 * second). A task's entry goes when the task ends.
 */
export class TaskSamples {
  private readonly latest = new Map<string, TaskSampleView>();

  constructor(private readonly now: () => number = Date.now) {}

  record(sample: TaskTimeSample): void {
    if (sample.intervalMs <= 0) return;
    const previous = this.latest.get(sample.attemptId);
    const perSecond = (ms: number): number => Math.round((ms * 1000) / sample.intervalMs);
    const rate = (total: number, before: number | undefined): number =>
      Math.max(0, Math.round(((total - (before ?? 0)) * 1000) / sample.intervalMs));
    this.latest.set(sample.attemptId, {
      'attempt-id': sample.attemptId,
      'records-in': sample.recordsIn,
      'records-out': sample.recordsOut,
      'records-in-per-second': rate(sample.recordsIn, previous?.['records-in']),
      'records-out-per-second': rate(sample.recordsOut, previous?.['records-out']),
      'bytes-in': sample.bytesIn,
      'bytes-out': sample.bytesOut,
      'bytes-in-per-second': rate(sample.bytesIn, previous?.['bytes-in']),
      'bytes-out-per-second': rate(sample.bytesOut, previous?.['bytes-out']),
      'busy-time-ms-per-second': perSecond(sample.busyMs),
      'idle-time-ms-per-second': perSecond(sample.idleMs),
      'backpressured-time-ms-per-second': perSecond(sample.backPressuredMs),
      'input-watermark': watermarkJson(sample.inputWatermark),
      'output-watermark': watermarkJson(sample.outputWatermark),
      'sampled-at': this.now(),
    });
  }

  forget(attemptId: string): void {
    this.latest.delete(attemptId);
  }

  all(): TaskSampleView[] {
    return [...this.latest.values()];
  }
}
