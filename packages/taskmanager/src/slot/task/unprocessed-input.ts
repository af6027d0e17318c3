import type { InputGateEntry } from '../../network/network-api.js';
import type { InputChannelStateRecording } from '../checkpointing/channel-state-recording.js';
import type { BatchInProgress } from './task-pacing.js';

/**
 * What a task with inputs has taken and not processed yet, as an unaligned
 * checkpoint sees it: restored in-flight input still to replay (taken
 * before anything from the gate), and the rest of the batch in progress.
 */
export class UnprocessedInput {
  private readonly replay: InputGateEntry[] = [];
  /** The input channel of the batch in progress. */
  private batchChannel = 0;

  /** Restored in-flight input of an unaligned checkpoint: replayed first, in order. */
  restore(entries: readonly InputGateEntry[]): void {
    this.replay.push(...entries);
  }

  /** The next restored entry to replay, if any. */
  nextReplayed(): InputGateEntry | undefined {
    return this.replay.shift();
  }

  /** A batch from `channel` is being processed. */
  started(channel: number): void {
    this.batchChannel = channel;
  }

  /** Records into `recording` what is taken but unprocessed: the rest of `unfinished` and the entries still to replay. */
  recordInto(recording: InputChannelStateRecording, unfinished: BatchInProgress | undefined): void {
    for (let i = this.replay.length - 1; i >= 0; i--) {
      const entry = this.replay[i]!;
      if ('records' in entry) recording.recordRecords(entry.channel, entry.records, entry.timestamps, true);
    }
    if (unfinished !== undefined && unfinished.next < unfinished.records.length) {
      const timestamps = unfinished.timestamps === undefined ? undefined : (Array.prototype.slice.call(unfinished.timestamps, unfinished.next) as number[]);
      recording.recordRecords(this.batchChannel, unfinished.records.slice(unfinished.next), timestamps, true);
    }
  }
}
