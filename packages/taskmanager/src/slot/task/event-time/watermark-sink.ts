import type { ResultPartitionWriter } from '../../../network/network-api.js';

/**
 * Where watermarks and watermark statuses go inside an operator chain, in
 * order with the records: a keyed operator (fires its due event-time timers,
 * then forwards), a timestamp assigner (drops them but the final +Infinity,
 * as it makes its own), or the chain's end (TaskWatermarkOutput). Operators
 * that ignore event time (map, filter, flatMap, sinks) are skipped: a chain
 * is a line, so a watermark goes from one event-time operator to the next.
 */
export interface WatermarkSink {
  processWatermark(timestamp: number): void;
  processWatermarkStatus(idle: boolean): void;
}

/**
 * The end of a chain for event time: broadcasts each watermark that advances
 * the task's output watermark, and each change of status, to every result
 * partition (after the records before it). Its `currentOutputWatermark` is
 * the task's gauge of that name.
 */
export class TaskWatermarkOutput implements WatermarkSink {
  /** The last watermark sent downstream; -Infinity before any (Flink's Long.MIN_VALUE). */
  currentOutputWatermark = -Infinity;
  private idle = false;

  constructor(private readonly writers: readonly ResultPartitionWriter[]) {}

  processWatermark(timestamp: number): void {
    if (!(timestamp > this.currentOutputWatermark)) return;
    this.currentOutputWatermark = timestamp;
    for (const writer of this.writers) writer.broadcastEvent({ kind: 'watermark', timestamp });
  }

  processWatermarkStatus(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    for (const writer of this.writers) writer.broadcastEvent({ kind: 'watermark-status', idle });
  }
}
