/**
 * Which trigger request runs next (Flink's CheckpointRequestDecider), as a
 * pure decision over the coordinator's state.
 *
 * Rules, in order:
 * - nothing starts while another trigger is being set up (`triggering`);
 * - savepoints go first and ignore max-concurrent and min-pause;
 * - other requests run in arrival order while fewer than max-concurrent
 *   checkpoints are pending; a periodic one also waits until min-pause has
 *   passed since the last checkpoint ended (a manual one behind it may go first);
 * - at most one periodic request waits: ticks that find one queued merge into it.
 */
export type TriggerRequestKind = 'periodic' | 'manual' | 'savepoint';

export interface QueuedRequest {
  readonly kind: TriggerRequestKind;
}

export interface TriggerState {
  readonly triggering: boolean;
  /** Checkpoints and savepoints in progress. */
  readonly pending: number;
  /** When the last checkpoint or savepoint ended (completed or aborted); undefined before any. */
  readonly lastEnd: number | undefined;
  readonly now: number;
}

export type TriggerDecision<R> =
  | { readonly kind: 'run'; readonly request: R }
  /** Re-decide when a trigger finishes setting up or a pending checkpoint ends. */
  | { readonly kind: 'wait' }
  /** Re-decide at `at` (min-pause). */
  | { readonly kind: 'wait-until'; readonly at: number };

export class TriggerRequestQueue<R extends QueuedRequest> {
  private queue: R[] = [];

  constructor(
    private readonly maxConcurrent: number,
    private readonly minPauseMs: number,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** Queues `request`; false (not queued) for a periodic request when one is already waiting. */
  enqueue(request: R): boolean {
    if (request.kind === 'periodic' && this.queue.some((r) => r.kind === 'periodic')) return false;
    this.queue.push(request);
    return true;
  }

  /** Decides, and dequeues the request when the decision is 'run'. */
  decide(state: TriggerState): TriggerDecision<R> {
    if (state.triggering || this.queue.length === 0) return { kind: 'wait' };
    const savepoint = this.queue.findIndex((r) => r.kind === 'savepoint');
    if (savepoint >= 0) return this.take(savepoint);
    if (state.pending >= this.maxConcurrent) return { kind: 'wait' };
    const pauseEnds = state.lastEnd === undefined ? undefined : state.lastEnd + this.minPauseMs;
    for (const [i, request] of this.queue.entries()) {
      if (request.kind === 'periodic' && pauseEnds !== undefined && state.now < pauseEnds) continue;
      return this.take(i);
    }
    return pauseEnds === undefined ? { kind: 'wait' } : { kind: 'wait-until', at: pauseEnds };
  }

  /** Empties the queue, returning what was waiting. */
  drain(): R[] {
    const drained = this.queue;
    this.queue = [];
    return drained;
  }

  private take(index: number): TriggerDecision<R> {
    const [request] = this.queue.splice(index, 1);
    return { kind: 'run', request: request! };
  }
}
