import type { CommitRequest, Committer } from '@rivulet/api';

/** A committable waiting for its commit, as kept in the sink's checkpoint state. */
export interface PendingCommittable<CommT> {
  /** The checkpoint whose barrier produced it (MAX_SAFE_INTEGER: the end of a bounded input without checkpointing). */
  readonly checkpointId: number;
  readonly committable: CommT;
  /** Commits asked to be retried so far (CommitRequest.numberOfRetries). */
  readonly numberOfRetries: number;
}

/** What one commit round did (logs, tests). */
export interface CommitRound {
  readonly committed: number;
  readonly retrying: number;
}

/** A committer signalled a failure (signalFailedWith*Reason) or threw: the task fails with it. */
export class CommitFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommitFailedError';
  }
}

type Outcome<CommT> =
  | { readonly kind: 'committed' }
  | { readonly kind: 'retry'; readonly committable: CommT }
  | { readonly kind: 'failed'; readonly known: boolean; readonly error: Error };

/**
 * The committables of one sink subtask not yet committed (Flink's
 * CommittableCollector), oldest checkpoint first.
 *
 * Invariants: committables are committed in checkpoint order, those of one
 * checkpoint in the order the writer handed them over, one `commit` call per
 * checkpoint; a committable leaves the queue only when its commit request
 * neither failed nor asked for a retry; one asked to be retried stays (with
 * its updated value, `numberOfRetries` + 1) and is retried at the next
 * commit round, before anything of a later checkpoint. `add` may be called
 * while a commit round awaits its committer (the task takes a checkpoint
 * meanwhile); rounds themselves run one after another.
 */
export class CommittableQueue<CommT> {
  private pending: PendingCommittable<CommT>[];

  constructor(
    /** Names the sink in errors, e.g. `sink 'Orders' (operator 3) (1/2)`. */
    private readonly sinkDescription: string,
    restored: readonly PendingCommittable<CommT>[] = [],
  ) {
    // Stable: the committables of one checkpoint keep their order.
    this.pending = [...restored].sort((a, b) => a.checkpointId - b.checkpointId);
  }

  get size(): number {
    return this.pending.length;
  }

  /** The committables of checkpoint `checkpointId` (ids only grow: a barrier follows the last one). */
  add(checkpointId: number, committables: readonly CommT[]): void {
    for (const committable of committables) this.pending.push({ checkpointId, committable, numberOfRetries: 0 });
    this.pending.sort((a, b) => a.checkpointId - b.checkpointId);
  }

  /** What the checkpoint state holds: every committable not yet committed. */
  snapshot(): PendingCommittable<CommT>[] {
    return this.pending.map((p) => ({ ...p }));
  }

  /**
   * Commits the committables of every checkpoint up to `checkpointId`,
   * checkpoint by checkpoint. Throws CommitFailedError (naming the sink and
   * the checkpoint) when the committer signals a failure or throws; what
   * was committed before stays committed and leaves the queue.
   */
  async commitUpTo(checkpointId: number, committer: Committer<CommT>): Promise<CommitRound> {
    const due = this.pending.filter((p) => p.checkpointId <= checkpointId);
    const remaining: PendingCommittable<CommT>[] = [];
    let committed = 0;
    let retrying = 0;
    let failure: CommitFailedError | undefined;
    for (const group of groupByCheckpoint(due)) {
      if (failure !== undefined) {
        remaining.push(...group); // after a failure nothing later is committed
        continue;
      }
      const outcomes = await this.commitGroup(group, committer);
      outcomes.forEach((outcome, i) => {
        const entry = group[i]!;
        if (outcome.kind === 'committed') {
          committed += 1;
        } else if (outcome.kind === 'retry') {
          retrying += 1;
          remaining.push({ checkpointId: entry.checkpointId, committable: outcome.committable, numberOfRetries: entry.numberOfRetries + 1 });
        } else {
          remaining.push(entry);
          const reason = outcome.known ? 'failed' : 'failed for an unknown reason';
          failure ??= new CommitFailedError(
            `${this.sinkDescription}: committing a committable of checkpoint ${entry.checkpointId} ${reason}: ${outcome.error.message}`,
            { cause: outcome.error },
          );
        }
      });
    }
    // Committables added while the committer ran (a barrier meanwhile) stay, after those kept for a retry.
    const committing = new Set(due);
    this.pending = [...remaining, ...this.pending.filter((p) => !committing.has(p))];
    if (failure !== undefined) throw failure;
    return { committed, retrying };
  }

  /** One committer call for the committables of one checkpoint; the outcome of each request. */
  private async commitGroup(group: readonly PendingCommittable<CommT>[], committer: Committer<CommT>): Promise<Outcome<CommT>[]> {
    const outcomes: Outcome<CommT>[] = group.map(() => ({ kind: 'committed' }));
    const requests = group.map((entry, i): CommitRequest<CommT> => ({
      committable: entry.committable,
      numberOfRetries: entry.numberOfRetries,
      signalFailedWithKnownReason: (error) => void (outcomes[i] = { kind: 'failed', known: true, error: asError(error) }),
      signalFailedWithUnknownReason: (error) => void (outcomes[i] = { kind: 'failed', known: false, error: asError(error) }),
      retryLater: () => void (outcomes[i] = { kind: 'retry', committable: entry.committable }),
      updateAndRetryLater: (committable) => void (outcomes[i] = { kind: 'retry', committable }),
      signalAlreadyCommitted: () => void (outcomes[i] = { kind: 'committed' }),
    }));
    try {
      await committer.commit(requests);
    } catch (err) {
      return group.map(() => ({ kind: 'failed', known: false, error: asError(err) }));
    }
    return outcomes;
  }
}

function groupByCheckpoint<CommT>(entries: readonly PendingCommittable<CommT>[]): PendingCommittable<CommT>[][] {
  const groups: PendingCommittable<CommT>[][] = [];
  for (const entry of entries) {
    const last = groups.at(-1);
    if (last !== undefined && last[0]!.checkpointId === entry.checkpointId) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
