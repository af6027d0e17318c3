import type { CommitRequest, Committer } from '@rivulet/api';
import type { FileSinkCommittable } from '../committable.js';
import { FileSinkError, reason } from '../file-sink-error.js';
import type { PartFileStore } from '../storage/part-file-store.js';

/** Committables committed at once (S3: CompleteMultipartUpload calls in flight). */
const CONCURRENT_COMMITS = 8;

/**
 * Commits a FileSink's committables (Flink's FileCommitter): renames local
 * part files, completes S3 multipart uploads — idempotently, so the commit a
 * restore makes again succeeds. Each request is signalled: already
 * committed; retry later (a transient storage failure: committed again with
 * the next checkpoint, before anything newer); failed with a known reason
 * (the data is gone, access denied, a committable of another kind of path
 * than the sink's): the job fails, naming the part file.
 */
export class FileCommitter implements Committer<FileSinkCommittable> {
  constructor(
    private readonly sink: string,
    private readonly store: PartFileStore,
  ) {}

  async commit(requests: readonly CommitRequest<FileSinkCommittable>[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) await this.commitOne(requests[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_COMMITS, requests.length) }, worker));
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private async commitOne(request: CommitRequest<FileSinkCommittable>): Promise<void> {
    const committable = request.committable;
    const invalid = invalidCommittable(committable);
    if (invalid !== undefined) {
      request.signalFailedWithKnownReason(new FileSinkError(this.sink, `cannot commit ${JSON.stringify(committable)?.slice(0, 200)}: ${invalid}`));
      return;
    }
    if (committable.kind !== this.store.kind) {
      const written = committable.kind === 's3' ? `s3://${committable.bucket}/${committable.key}` : committable.finalPath;
      request.signalFailedWithKnownReason(new FileSinkError(this.sink, `cannot commit ${written} (from a checkpoint): the sink now writes to ${this.store.kind === 's3' ? 'S3' : 'a local folder'}; restore with the path the checkpoint was taken with`));
      return;
    }
    let outcome;
    try {
      outcome = await this.store.commit(committable);
    } catch (err) {
      request.signalFailedWithUnknownReason(err instanceof FileSinkError ? err : new FileSinkError(this.sink, `commit failed: ${reason(err)}`, { cause: err }));
      return;
    }
    switch (outcome.kind) {
      case 'committed':
        return;
      case 'already-committed':
        request.signalAlreadyCommitted();
        return;
      case 'retry':
        request.retryLater();
        return;
      case 'failed':
        request.signalFailedWithKnownReason(outcome.error);
        return;
    }
  }
}

/** Why `committable` is not a FileSink committable this version understands. */
function invalidCommittable(committable: unknown): string | undefined {
  const c = committable as Partial<FileSinkCommittable> | null;
  if (c === null || typeof c !== 'object') return 'it is not an object';
  if (c.version !== 1) return `version ${String(c.version)} is not one this FileSink reads (1)`;
  if (c.kind === 'local') return typeof c.inProgressPath === 'string' && typeof c.finalPath === 'string' && typeof c.size === 'number' ? undefined : 'a local committable lacks its paths or size';
  if (c.kind === 's3') {
    return typeof c.bucket === 'string' && typeof c.key === 'string' && typeof c.uploadId === 'string' && Array.isArray(c.parts) && typeof c.size === 'number'
      ? undefined
      : 'an S3 committable lacks its bucket, key, upload id, parts or size';
  }
  return `kind ${JSON.stringify(c.kind)} is neither local nor s3`;
}
