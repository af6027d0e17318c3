/**
 * The checkpoint coordinator of one job (Flink's CheckpointCoordinator, split
 * by concern: trigger-request-queue and periodic-trigger decide when,
 * pending-checkpoint tracks acknowledgements, completed-checkpoint-store and
 * checkpoint-cleaner keep and delete, checkpoint-stats-tracker counts,
 * background-work runs completions and notifications beside the callers).
 *
 * Invariants:
 * - ids come from the CheckpointIdCounter: strictly increasing, never reused;
 * - a checkpoint completes only when every task of its plan acknowledged;
 *   then, in this order: `_metadata` is written (last: a folder without it
 *   holds no checkpoint), the checkpoint becomes the latest completed (store),
 *   checkpoints beyond num-retained are deleted, files and all, and only then
 *   are the tasks notified (`notifyComplete`);
 * - an aborted checkpoint leaves no metadata behind: its folder is deleted,
 *   after an in-flight metadata write has settled;
 * - acknowledgements and declines of unknown checkpoints, of attempts outside
 *   the plan, or after completion are ignored; state acknowledged late for an
 *   aborted checkpoint is deleted;
 * - savepoints are never deleted by the coordinator; intermediate savepoints
 *   neither notify tasks nor become the recovery point;
 * - counted failures beyond tolerable-failed-checkpoints call `failJob` once;
 * - a final checkpoint subsumes all pending ones, ends periodic triggers, answers final requests.
 */
import { randomBytes } from 'node:crypto';
import {
  checkpointFolderOf,
  NO_CHECKPOINT_METRICS,
  errorMessage,
  externalPathOf,
  savepointFolderName,
  type CheckpointMetadata,
  type Logger,
  type SnapshotLocation,
  type SubtaskCheckpointMetrics,
  type SubtaskStateSnapshot,
} from '@rivulet/common';
import { BackgroundWork } from './background-work.js';
import { CheckpointCleaner } from './checkpoint-cleaner.js';
import type { CheckpointCoordinatorConfiguration } from './checkpoint-configuration.js';
import { CheckpointFailedError, CheckpointFailures, type CheckpointFailure } from './checkpoint-failure.js';
import { CheckpointFailureManager } from './checkpoint-failure-manager.js';
import { CheckpointFinalizer } from './checkpoint-finalizer.js';
import { checkPlan, type CheckpointPlan } from './checkpoint-plan.js';
import { CheckpointStatsTracker } from './checkpoint-stats-tracker.js';
import { systemTimers, type Cancellable, type CheckpointTimers } from './checkpoint-timers.js';
import { isSavepoint, type CheckpointKind, type CheckpointTrigger, type CompletedCheckpoint, type JobEndStatus } from './checkpoint-types.js';
import { PendingCheckpoint } from './pending-checkpoint.js';
import { PeriodicTrigger } from './periodic-trigger.js';
import { reportRestored, restoreFromSnapshot, type RestoreOptions } from './checkpoint-restore.js';
import { TriggerRequestQueue } from './trigger-request-queue.js';
import { answerWithFinal, type Deferred, type Request } from './checkpoint-requests.js';
import type { AcknowledgeOutcome, CheckpointCoordinatorOptions, DeclineOutcome } from './checkpoint-coordinator-options.js';

export type { AcknowledgeOutcome, CheckpointCoordinatorOptions, DeclineOutcome } from './checkpoint-coordinator-options.js';

interface PendingEntry {
  readonly pending: PendingCheckpoint;
  readonly request: Request;
  readonly timeout: Cancellable;
  /** collecting → finalizing (writing `_metadata`) → completing (recording; no longer abortable). */
  phase: 'collecting' | 'finalizing' | 'completing';
  aborted: boolean;
}

export class CheckpointCoordinator {
  readonly statistics: CheckpointStatsTracker;
  private readonly config: CheckpointCoordinatorConfiguration;
  private readonly timers: CheckpointTimers;
  private readonly log: Logger;
  private readonly queue: TriggerRequestQueue<Request>;
  private readonly periodic: PeriodicTrigger;
  private readonly failures: CheckpointFailureManager;
  private readonly cleaner: CheckpointCleaner;
  private readonly finalizer: CheckpointFinalizer;
  private readonly pending = new Map<number, PendingEntry>();
  private readonly background: BackgroundWork;
  private triggering = false;
  /** Bumped by stopCheckpointScheduler: a trigger set up across a bump has a stale plan and is dropped. */
  private epoch = 0;
  private lastEnd: number | undefined;
  private pauseTimer: Cancellable | undefined;
  private shutdownResult: Promise<void> | undefined;
  /** The final checkpoint completed since the scheduler last stopped: no periodic one follows it. */
  private finalCompleted: CompletedCheckpoint | undefined;

  constructor(private readonly options: CheckpointCoordinatorOptions) {
    this.config = options.configuration;
    this.timers = options.timers ?? systemTimers;
    this.log = options.log.child({ jobId: options.jobId, component: 'checkpoint-coordinator' });
    this.statistics = new CheckpointStatsTracker(this.config.historySize, this.config.unaligned);
    this.queue = new TriggerRequestQueue(this.config.maxConcurrentCheckpoints, this.config.minPauseMs);
    this.periodic = new PeriodicTrigger(this.timers, this.config.intervalMs, () => {
      if (this.queue.enqueue({ kind: 'periodic' })) this.pump();
    });
    this.failures = new CheckpointFailureManager(this.config.tolerableFailedCheckpoints, (reason) => {
      this.log.error({ reason }, 'failing the job: too many checkpoint failures');
      this.options.failJob(reason);
    });
    this.cleaner = new CheckpointCleaner(options.storages, this.log);
    this.background = new BackgroundWork(this.log);
    this.finalizer = new CheckpointFinalizer({
      jobId: options.jobId, storages: options.storages, store: options.store, cleaner: this.cleaner, retention: this.config.externalizedRetention,
    });
  }

  // ---- lifecycle -------------------------------------------------------------

  /** The job is RUNNING: periodic checkpoints begin (when an interval is set). */
  startCheckpointScheduler(): void {
    if (this.shutdownResult) return;
    this.periodic.start(this.options.initialDelayMs ?? this.config.intervalMs ?? 0);
  }

  /**
   * The job left RUNNING (failing, restarting, cancelling, stopping with a
   * savepoint): periodic triggering stops and every pending checkpoint and
   * savepoint is aborted ("job not running: <reason>", not counted). Resolves
   * once checkpoints already past their metadata write are recorded, so
   * `latestCompletedCheckpoint()` is then final for a restore.
   */
  async stopCheckpointScheduler(reason: string): Promise<void> {
    this.epoch += 1;
    this.finalCompleted = undefined;
    this.stopPeriodic();
    for (const id of [...this.pending.keys()]) this.abort(id, CheckpointFailures.suspended(reason));
    await this.background.settled();
  }

  /**
   * The job ended (or this JobManager stopped leading it): aborts everything
   * pending, then applies externalized-checkpoint-retention — deleting the
   * job's owned checkpoints (and its checkpoint folder) when `status` calls
   * for it. Idempotent.
   */
  shutdown(status: JobEndStatus): Promise<void> {
    this.shutdownResult ??= this.doShutdown(status);
    return this.shutdownResult;
  }

  /** Resolves when no deletion or completion started so far is still running (tests). */
  async idle(): Promise<void> {
    await this.background.settled();
    await this.cleaner.idle();
  }

  // ---- triggering ------------------------------------------------------------

  /** Triggers a checkpoint now (ignoring min-pause, waiting for max-concurrent); resolves when it completes. */
  triggerCheckpoint(): Promise<CompletedCheckpoint> {
    return this.request((done) => ({ kind: 'manual', done }));
  }

  /**
   * The job's final checkpoint: resolves with the first checkpoint that
   * completes as final — its own, or one in flight (a periodic checkpoint
   * every task acknowledged with end-of-data; then it triggers nothing).
   */
  triggerFinalCheckpoint(): Promise<CompletedCheckpoint> {
    if (this.finalCompleted) return Promise.resolve(this.finalCompleted);
    return this.request((done) => ({ kind: 'manual', done, final: true }));
  }

  /**
   * Triggers a savepoint into `targetDirectory` (a URI the storages can open);
   * resolves with its path `<targetDirectory>/savepoint-<job>-<random>`.
   * `terminate`: stop with savepoint — sources end after it, and tasks are
   * notified of its completion so sinks commit.
   */
  async triggerSavepoint(targetDirectory: string, options: { terminate?: boolean } = {}): Promise<string> {
    const terminate = options.terminate === true;
    // Stop with savepoint (Flink's stopWithSavepoint stops the scheduler first): no periodic checkpoint is
    // triggered after it — the tasks end with it — and periodic checkpoints resume if it fails.
    const resume = terminate && this.periodic.isActive;
    if (terminate) this.stopPeriodic();
    try {
      const completed = await this.request((done) => ({ kind: 'savepoint', done, targetDirectory, terminate }));
      return completed.externalPath;
    } catch (err) {
      if (resume && !this.shutdownResult) this.periodic.start(this.config.intervalMs ?? 0);
      throw err;
    }
  }

  /** No more periodic ticks, and none queued. */
  private stopPeriodic(): void {
    this.periodic.stop();
    this.queue.drain().forEach((request) => {
      if (request.kind !== 'periodic') this.queue.enqueue(request); // on-demand requests stay; the plan decides them
    });
  }

  private request(make: (done: Deferred) => Request): Promise<CompletedCheckpoint> {
    return new Promise<CompletedCheckpoint>((resolve, reject) => {
      const request = make({ resolve, reject });
      if (this.shutdownResult) {
        reject(new CheckpointFailedError(undefined, CheckpointFailures.shutdown('the job has ended'), this.what(request)));
        return;
      }
      this.queue.enqueue(request);
      this.pump();
    });
  }

  /** Starts the next request when the queue's rules allow; re-entered whenever they may have changed. */
  private pump(): void {
    if (this.shutdownResult) return;
    this.pauseTimer?.cancel();
    this.pauseTimer = undefined;
    const now = this.timers.now();
    const decision = this.queue.decide({ triggering: this.triggering, pending: this.pending.size, lastEnd: this.lastEnd, now });
    if (decision.kind === 'wait') return;
    if (decision.kind === 'wait-until') {
      this.pauseTimer = this.timers.schedule(decision.at - now, () => this.pump());
      return;
    }
    this.triggering = true;
    this.startTrigger(decision.request)
      .catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'unexpected error while triggering a checkpoint'))
      .finally(() => {
        this.triggering = false;
        this.pump();
      });
  }

  private async startTrigger(request: Request): Promise<void> {
    if (request.kind === 'periodic') this.periodic.rearm();
    if (answerWithFinal(request, this.finalCompleted)) return;
    const epoch = this.epoch;
    const outcome = this.options.planCheckpoint();
    if (outcome.kind === 'not-ready') return this.failBeforeTrigger(request, CheckpointFailures.jobNotRunning(outcome.reason));
    const problem = checkPlan(outcome.plan);
    if (problem !== undefined) return this.failBeforeTrigger(request, CheckpointFailures.triggerFailed('invalid checkpoint plan', problem));
    if (request.kind === 'savepoint') {
      try {
        this.options.storages.savepoints(request.targetDirectory);
      } catch (err) {
        return this.failBeforeTrigger(request, CheckpointFailures.triggerFailed(`cannot use savepoint directory ${request.targetDirectory}`, err));
      }
    }
    let id: number;
    try {
      id = await this.options.counter.getAndIncrement();
    } catch (err) {
      return this.failBeforeTrigger(request, CheckpointFailures.triggerFailed('could not get a checkpoint id', err));
    }
    if (this.shutdownResult) return this.failBeforeTrigger(request, CheckpointFailures.shutdown('the job has ended'));
    if (epoch !== this.epoch) return this.failBeforeTrigger(request, CheckpointFailures.suspended('the job left RUNNING while the checkpoint was set up'));
    if (answerWithFinal(request, this.finalCompleted)) return; // a checkpoint in flight completed as final meanwhile
    this.createPending(id, request, outcome.plan);
  }

  private createPending(id: number, request: Request, plan: CheckpointPlan): void {
    const timestamp = this.timers.now();
    const kind: CheckpointKind = request.kind !== 'savepoint' ? 'checkpoint' : request.terminate ? 'terminating-savepoint' : 'savepoint';
    const location: SnapshotLocation = request.kind === 'savepoint'
      ? { root: request.targetDirectory, folder: savepointFolderName(this.options.jobId, (this.options.randomSuffix ?? randomHex)()) }
      : { root: null, folder: checkpointFolderOf(this.options.jobId, id) };
    const pending = new PendingCheckpoint(id, timestamp, kind, location, plan);
    const timeout = this.timers.schedule(this.config.timeoutMs, () => this.expire(id));
    this.pending.set(id, { pending, request, timeout, phase: 'collecting', aborted: false });
    this.statistics.reportPending(id, kind, timestamp, pending.numberOfTasks);
    this.log.info({ checkpointId: id, kind, tasks: pending.numberOfTasks, path: this.externalPath(location) }, 'triggering checkpoint');
    const trigger: CheckpointTrigger = {
      checkpointId: id, timestamp, savepoint: isSavepoint(kind), terminate: kind === 'terminating-savepoint', mode: this.config.mode, location,
    };
    const failed = (err: unknown): void => {
      this.abort(id, CheckpointFailures.triggerFailed('triggering the sources failed', err));
    };
    try {
      Promise.resolve(this.options.triggerSources(trigger)).catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private failBeforeTrigger(request: Request, failure: CheckpointFailure): void {
    this.statistics.reportFailedBeforeTrigger();
    const fields = { reason: failure.reason, message: failure.message, request: request.kind };
    if (request.kind === 'periodic') this.log.debug(fields, 'checkpoint not triggered');
    else this.log.info(fields, 'checkpoint not triggered');
    this.settleFailed(request, undefined, failure);
  }

  /** Rejects a request of checkpoint `id` (a periodic one has nobody waiting), except a final one once the final checkpoint completed: that is its outcome. */
  private settleFailed(request: Request, id: number | undefined, failure: CheckpointFailure): void {
    if (request.kind === 'periodic' || answerWithFinal(request, this.finalCompleted)) return;
    request.done.reject(new CheckpointFailedError(id, failure, this.what(request)));
  }

  // ---- acknowledgements ------------------------------------------------------

  /**
   * AcknowledgeCheckpoint from a task: `stateHandles` are the request's bytes
   * (a SubtaskStateSnapshot as JSON; empty for no state) or the decoded value.
   * Malformed or mismatching state aborts the checkpoint. `endOfData`: the
   * task's data had ended when it took the snapshot; `metrics`: what the task
   * measured of the checkpoint (its alignment and start delay).
   */
  acknowledgeCheckpoint(
    executionAttemptId: string,
    checkpointId: number,
    stateHandles: Uint8Array | SubtaskStateSnapshot,
    endOfData = false,
    metrics: SubtaskCheckpointMetrics = NO_CHECKPOINT_METRICS,
  ): AcknowledgeOutcome {
    const entry = this.pending.get(checkpointId);
    if (!entry) {
      if (this.cleaner.discardLate(checkpointId)) return 'late';
      this.log.debug({ checkpointId, executionAttemptId }, 'ignoring an acknowledgement of an unknown checkpoint');
      return 'unknown-checkpoint';
    }
    const task = entry.pending.taskOf(executionAttemptId);
    if (!task) {
      this.log.debug({ checkpointId, executionAttemptId }, 'ignoring an acknowledgement from an attempt outside the checkpoint');
      return 'unknown-task';
    }
    if (entry.phase !== 'collecting') return 'duplicate'; // every task has acknowledged already
    const result = entry.pending.acknowledge(executionAttemptId, stateHandles, this.timers.now(), endOfData);
    if (result.kind === 'invalid') {
      this.abort(checkpointId, CheckpointFailures.invalidAcknowledgement(task.taskName, result.problem));
      return 'invalid';
    }
    if (result.kind !== 'accepted') return result.kind;
    const { pending } = entry;
    this.statistics.reportAcknowledged(checkpointId, pending.latestAckTimestamp ?? 0, pending.numberOfAcknowledged, pending.stateSize, metrics);
    if (pending.isFullyAcknowledged) this.background.track(this.complete(entry));
    return 'accepted';
  }

  /** The split enumerators' checkpoints for pending checkpoint `checkpointId` (operator id → base64); false when it is no longer pending. */
  setCoordinatorStates(checkpointId: number, states: ReadonlyMap<string, string>): boolean {
    const entry = this.pending.get(checkpointId);
    if (!entry) return false;
    entry.pending.setCoordinatorStates(states);
    return true;
  }

  /**
   * DeclineCheckpoint from a task: aborts the checkpoint, stating the task and
   * its reason. `taskClosing`: the task reached the end of its input and is
   * finishing, so it can take no barrier (Flink's
   * CHECKPOINT_DECLINED_TASK_CLOSING): not counted as a failure.
   */
  declineCheckpoint(executionAttemptId: string, checkpointId: number, reason: string, taskClosing = false): DeclineOutcome {
    const entry = this.pending.get(checkpointId);
    if (!entry) return 'unknown-checkpoint';
    const task = entry.pending.taskOf(executionAttemptId);
    if (!task || entry.phase !== 'collecting') return 'unknown-task';
    this.abort(checkpointId, taskClosing ? CheckpointFailures.declinedTaskClosing(task.taskName, reason) : CheckpointFailures.declined(task.taskName, reason));
    return 'aborted';
  }

  // ---- completion ------------------------------------------------------------

  private async complete(entry: PendingEntry): Promise<void> {
    const { pending } = entry;
    const id = pending.checkpointId;
    entry.phase = 'finalizing';
    const outcome = await this.finalizer.finalize(pending, () => entry.aborted, () => {
      entry.phase = 'completing';
      entry.timeout.cancel();
    });
    if (outcome.kind === 'aborted') return;
    if (outcome.kind === 'failed') {
      this.finishAborted(entry, outcome.failure);
      return;
    }
    const { completed, pushedOut } = outcome;
    const { metadata, externalPath } = completed;
    this.pending.delete(id);
    this.lastEnd = this.timers.now();
    this.statistics.reportCompleted(id, this.lastEnd, metadata.stateSize, externalPath);
    this.log.info({ checkpointId: id, kind: pending.kind, bytes: metadata.stateSize, ms: this.lastEnd - pending.triggerTimestamp, path: externalPath }, 'checkpoint completed');
    if (pending.kind === 'checkpoint') {
      this.failures.handleSuccess(id);
      if (pending.isFinal) this.afterFinal(completed);
      for (const [other, e] of [...this.pending]) {
        if ((other < id || pending.isFinal) && e.pending.kind === 'checkpoint') this.abort(other, CheckpointFailures.subsumed(id));
      }
    }
    await Promise.all(pushedOut.map(async (old) => {
      await this.cleaner.discard(old.location, `retention: checkpoint ${id} completed`);
      this.statistics.reportDiscarded(old.checkpointId);
    }));
    if (pending.kind !== 'savepoint') {
      const final = pending.isFinal;
      if (final) this.log.info({ checkpointId: id }, 'final checkpoint completed: every task had ended its data');
      this.background.quietly('notify complete', id, () => this.options.notifyComplete(id, final));
    }
    if (entry.request.kind !== 'periodic') entry.request.done.resolve(completed);
    this.pump();
  }

  /**
   * The final checkpoint completed: tasks finish on its notification, so no
   * periodic one follows, and a queued final request (waiting behind a
   * periodic checkpoint that turned out final) is answered with it.
   */
  private afterFinal(completed: CompletedCheckpoint): void {
    this.finalCompleted = completed;
    this.periodic.stop();
    for (const request of this.queue.drain()) {
      if (!answerWithFinal(request, completed) && request.kind !== 'periodic') this.queue.enqueue(request);
    }
  }

  // ---- aborting --------------------------------------------------------------

  private expire(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    const waiting = entry.phase === 'collecting' ? entry.pending.waitingFor().map((t) => t.taskName) : [];
    this.abort(id, CheckpointFailures.expired(this.config.timeoutMs, waiting));
  }

  /** Aborts a checkpoint that has not reached its recording step; false when there is none. */
  private abort(id: number, failure: CheckpointFailure): boolean {
    const entry = this.pending.get(id);
    if (!entry || entry.phase === 'completing') return false;
    this.finishAborted(entry, failure);
    // A finalizing checkpoint's folder is deleted by complete() once its metadata write settles.
    if (entry.phase === 'collecting') void this.cleaner.discard(entry.pending.location, `checkpoint ${id} aborted`);
    return true;
  }

  private finishAborted(entry: PendingEntry, failure: CheckpointFailure): void {
    const { pending } = entry;
    const id = pending.checkpointId;
    this.pending.delete(id);
    entry.aborted = true;
    entry.timeout.cancel();
    this.cleaner.rememberAborted(id, pending.location);
    this.lastEnd = this.timers.now();
    this.statistics.reportFailed(id, this.lastEnd, failure);
    const fields = { checkpointId: id, kind: pending.kind, reason: failure.reason, message: failure.message };
    this.log[failure.reason === 'CHECKPOINT_SUBSUMED' ? 'info' : 'warn'](fields, 'checkpoint failed'); // subsumed is no failure
    this.background.quietly('notify aborted', id, () => this.options.notifyAborted(id));
    this.settleFailed(entry.request, id, failure);
    this.failures.handleFailure(id, pending.kind, failure);
    this.pump();
  }

  // ---- restore and queries ---------------------------------------------------

  /** What a failover restores from: the newest completed checkpoint (or the snapshot the job started from). */
  latestCompletedCheckpoint(): CompletedCheckpoint | undefined {
    return this.options.store.latest();
  }

  get numberOfPendingCheckpoints(): number {
    return this.pending.size;
  }

  /**
   * The job starts from a snapshot (see restoreFromSnapshot in
   * checkpoint-restore.ts): it becomes the recovery point, the counter moves
   * past it. Call before the first trigger.
   */
  restoreFromSnapshot(metadata: CheckpointMetadata, location: SnapshotLocation, options: RestoreOptions = {}): Promise<CompletedCheckpoint> {
    const { counter, store, storages } = this.options;
    return restoreFromSnapshot({ counter, store, statistics: this.statistics, checkpointRoot: storages.checkpointRoot, now: this.timers.now }, metadata, location, options);
  }

  /** A failover restored the job's tasks from `checkpoint`: counted in the statistics. */
  reportRestored(checkpoint: CompletedCheckpoint, restoreTimestamp = this.timers.now()): void {
    reportRestored(this.statistics, checkpoint, restoreTimestamp);
  }


  // ---- helpers ---------------------------------------------------------------

  private async doShutdown(status: JobEndStatus): Promise<void> {
    this.periodic.stop();
    this.pauseTimer?.cancel();
    for (const request of this.queue.drain()) {
      this.settleFailed(request, undefined, CheckpointFailures.shutdown(`job ${status}`));
    }
    for (const id of [...this.pending.keys()]) this.abort(id, CheckpointFailures.shutdown(`job ${status}`));
    await this.background.settled();
    const deleted = await this.finalizer.endOfJob(status);
    await this.cleaner.idle();
    this.log.info({ status, retention: this.config.externalizedRetention, deleted }, 'checkpoint coordinator stopped');
  }

  private externalPath(location: SnapshotLocation): string {
    return externalPathOf(location, this.options.storages.checkpointRoot);
  }

  private what(request: Request): 'checkpoint' | 'savepoint' {
    return request.kind === 'savepoint' ? 'savepoint' : 'checkpoint';
  }
}

function randomHex(): string {
  return randomBytes(6).toString('hex');
}
