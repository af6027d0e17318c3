import type { CommitRequest, SinkWriterContext, WriterInitContext } from '@rivulet/api';

export type CommitResult = 'committed' | 'already-committed' | 'retry-later' | { failed: Error };

/** A CommitRequest for tests: records what the committer said about it ('committed' when it said nothing). */
export class TestCommitRequest<CommT> implements CommitRequest<CommT> {
  result: CommitResult = 'committed';

  constructor(
    readonly committable: CommT,
    readonly numberOfRetries = 0,
  ) {}

  signalFailedWithKnownReason(error: Error): void {
    this.result = { failed: error };
  }
  signalFailedWithUnknownReason(error: Error): void {
    this.result = { failed: error };
  }
  retryLater(): void {
    this.result = 'retry-later';
  }
  updateAndRetryLater(): void {
    this.result = 'retry-later';
  }
  signalAlreadyCommitted(): void {
    this.result = 'already-committed';
  }
}

export function writerInit(subtaskIndex = 0, jobId = 'job-1'): WriterInitContext {
  return { subtaskIndex, parallelism: 1, attemptNumber: 0, restoredCheckpointId: undefined, jobId };
}

export const NO_TIME: SinkWriterContext = { timestamp: undefined, currentWatermark: -Infinity };
