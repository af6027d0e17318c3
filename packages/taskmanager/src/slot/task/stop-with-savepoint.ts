import type { Logger } from '@rivulet/common/task-runtime';
import { sleep } from './task-pacing.js';

/** Aborted checkpoint ids a task remembers. */
const RECENT_ABORTS = 16;

/** The savepoint a task stops with, and its outcome (true: completed). */
interface StopSavepoint {
  readonly checkpointId: number;
  readonly outcome: Promise<boolean>;
  readonly settle: (completed: boolean) => void;
}

/**
 * A task's side of a stop with savepoint (Flink's synchronous savepoint):
 * the savepoint it took with `terminate` set, and whether that savepoint
 * completed (the task finishes) or failed (it runs on). Its notifications
 * may come in any order with the barrier: an abort that arrived before the
 * barrier means the task does not stop at all.
 */
export class StopWithSavepoint {
  private current: StopSavepoint | undefined;
  private readonly aborted = new Set<number>();

  /** The savepoint the task is stopping with, if any. */
  get checkpointId(): number | undefined {
    return this.current?.checkpointId;
  }

  get active(): boolean {
    return this.current !== undefined;
  }

  /** The task took the barrier of a terminating savepoint: it stops with it, unless that savepoint was aborted already. */
  begin(checkpointId: number): void {
    if (this.aborted.has(checkpointId)) return;
    let settle: (completed: boolean) => void = () => undefined;
    const outcome = new Promise<boolean>((resolve) => (settle = resolve));
    this.current = { checkpointId, outcome, settle };
  }

  /** Checkpoint `checkpointId` completed; a later one than the stop's means the stop's savepoint failed and its abort was missed. */
  completed(checkpointId: number): void {
    const current = this.current;
    if (current !== undefined && checkpointId >= current.checkpointId) this.settle(checkpointId === current.checkpointId);
  }

  /** Checkpoint `checkpointId` failed: if it is the stop's savepoint, the task runs on. */
  abortedCheckpoint(checkpointId: number): void {
    this.aborted.add(checkpointId);
    if (this.aborted.size > RECENT_ABORTS) this.aborted.delete(this.aborted.values().next().value!);
    if (this.current?.checkpointId === checkpointId) this.settle(false);
  }

  /**
   * The outcome of the stop's savepoint: true once it completed, false once it
   * failed (or when there is no stop), undefined when `timeoutMs` passed first.
   * `wait` wraps the wait (the task's cancellation and idle time).
   */
  async outcome(wait: <T>(promise: Promise<T>) => Promise<T>, timeoutMs?: number): Promise<boolean | undefined> {
    const current = this.current;
    if (current === undefined) return false; // aborted before this task took its barrier
    const outcome = timeoutMs === undefined ? current.outcome : Promise.race([current.outcome, sleep(timeoutMs).then(() => undefined)]);
    const completed = await wait(outcome);
    if (completed === false) this.current = undefined;
    return completed;
  }

  /**
   * Waits until the stop's savepoint completed (true) or failed (false; the
   * task runs on). `timeoutMs`: a task whose input ended after it (its
   * sources end only once it completed) waits that long for its
   * notification, then finishes without committing (the savepoint keeps the
   * committables) — said in the log.
   */
  async completedOrGivenUp(wait: <T>(promise: Promise<T>) => Promise<T>, log: Logger, timeoutMs?: number): Promise<boolean> {
    const checkpointId = this.checkpointId;
    const completed = await this.outcome(wait, timeoutMs);
    if (completed === undefined) log.warn({ checkpointId }, 'no completion notification for the savepoint of the stop: finishing without committing');
    return completed !== false;
  }

  /** The stop's savepoint failed: the task runs on as if it was never stopped. */
  clear(): void {
    this.current = undefined;
  }

  private settle(completed: boolean): void {
    this.current?.settle(completed);
    if (!completed) this.current = undefined;
  }
}
