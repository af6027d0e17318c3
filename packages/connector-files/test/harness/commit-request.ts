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

/** Commit requests for `committables`, committed by `committer`; returns each request's result. */
export async function commitAll<CommT>(committer: { commit(requests: readonly CommitRequest<CommT>[]): Promise<void> }, committables: readonly CommT[]): Promise<CommitResult[]> {
  const requests = committables.map((c) => new TestCommitRequest(c));
  await committer.commit(requests);
  return requests.map((r) => r.result);
}

export function writerInit(subtaskIndex = 0, restoredCheckpointId?: number): WriterInitContext {
  return { subtaskIndex, parallelism: 1, attemptNumber: 0, restoredCheckpointId, jobId: 'job-1' };
}

export const COMMITTER_INIT = { subtaskIndex: 0, parallelism: 1, jobId: 'job-1' } as const;

export const NO_TIME: SinkWriterContext = { timestamp: undefined, currentWatermark: -Infinity };

export function at(timestamp: number): SinkWriterContext {
  return { timestamp, currentWatermark: -Infinity };
}
