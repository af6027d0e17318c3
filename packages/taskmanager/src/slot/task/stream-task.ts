import type { CompiledJob } from '@rivulet/api';
import type { Logger, SnapshotLocation, SubtaskCheckpointMetrics, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { InputGate, InputGateEntry, ResultPartitionWriter } from '../../network/network-api.js';
import type { PriorityBarriers, ReceivedBytes, SentBytes, TaskNetwork } from '../exchange/slot-network.js';
import type { BarrierInfo, CheckpointingMode } from '../checkpointing/barrier-aligner.js';
import { restoredOperatorState } from '../checkpointing/restored-operator-state.js';
import { restoreChannelState } from '../checkpointing/channel-state-restore.js';
import type { StorageProvider } from '../checkpointing/storage-provider.js';
import type { TaskCheckpointing } from '../checkpointing/task-checkpointing.js';
import type { InputChannelStateRecording } from '../checkpointing/channel-state-recording.js';
import { buildOperatorChain, type OperatorChain } from './operator-chain.js';
import { TaskSnapshots } from './task-snapshots.js';
import { UnprocessedInput } from './unprocessed-input.js';
import { InputEvents } from './input-events.js';
import { restoreKeyedState } from './keyed-state-restore.js';
import { describeFailure, type TaskReport } from './task-report.js';
import { TaskCancellation } from './task-cancellation.js';
import { firePeriodic, msUntilClockWork } from './chain-clock.js';
import { finishingDeclineReason } from './finishing-decline.js';
import { TaskTime } from './task-time.js';
import { TaskIoCounters } from './task-io-counters.js';
import type { InputValve } from './event-time/two-input-watermarks.js';
import type { SourceEventChannel } from './sources/create-source-operator.js';
import type { SourceReader } from './sources/source-reader.js';
import { StopWithSavepoint } from './stop-with-savepoint.js';
import { FIRST_SOURCE_BATCH, YIELD_AFTER_MS, YIELD_EVERY_BATCHES, nextBatchSize, processSlice, sleep, yieldToEventLoop, type BatchInProgress } from './task-pacing.js';

/**
 * One subtask: an operator chain fed by a source or by an input gate,
 * writing to result partitions. Runs in its slot's thread, cooperatively
 * with the other subtasks of the slot: it yields between batches and waits
 * (never spins) when its outputs have no room (backpressure) or its input
 * has nothing.
 */
export class StreamTask {
  private readonly cancellation = new TaskCancellation();
  private writers: (ResultPartitionWriter & SentBytes)[] = [];
  private gate: (InputGate & ReceivedBytes & PriorityBarriers) | undefined;
  private chain: OperatorChain | undefined;
  /** Checkpoints triggered at this source, taken between two batches. */
  private readonly triggered: BarrierInfo[] = [];
  /** Per trigger in `triggered`, how many operator events the source had received before it (applied before its checkpoint). */
  private readonly eventsBeforeTrigger: number[] = [];
  /** Stop with savepoint: the source ends its input after this checkpoint's barrier. */
  private terminateAfter: number | undefined;
  /** Stop with savepoint: the savepoint this task took; it finishes once it completed and runs on if it failed. */
  private readonly stopping = new StopWithSavepoint();
  /** A barrier aligned on every input channel, taken before the next entry. */
  private aligned: { readonly barrier: BarrierInfo; readonly metrics: SubtaskCheckpointMetrics } | undefined;
  /** Commit notifications run one after another, in checkpoint order. */
  private notifications: Promise<void> = Promise.resolve();
  private lastYield = performance.now();
  /** Every input ended (or, for a source, its splits): no record follows; the task waits for the final checkpoint. */
  private dataEnded = false;
  /** The job's final checkpoint completed and was committed here: the task may finish. */
  private finalCompleted = false;
  /** The task's loop ended (end of input, or a stop): it only waits for its outputs to be consumed, and takes no checkpoint. */
  private finishing = false;
  /** Operator events that arrived before the chain was built, in order. */
  private readonly earlyOperatorEvents: { readonly operatorId: string; readonly event: Uint8Array }[] = [];
  /** Wakes a source waiting after its end of data (a trigger or the final notification arrived). */
  private wakeUp: (() => void) | undefined;
  private report: (report: TaskReport) => void = () => undefined;
  /** Busy, idle and back-pressured time (Flink's task metrics). */
  readonly time = new TaskTime();
  /** Records in and out (Flink's numRecordsIn / numRecordsOut). */
  readonly io = new TaskIoCounters();

  /** Bytes of serialized batches received from other slots and TaskManagers (records within the slot count none). */
  get bytesIn(): number {
    return this.gate?.bytesIn ?? 0;
  }

  /** Bytes of serialized batches sent to other slots and TaskManagers. */
  get bytesOut(): number {
    let bytes = 0;
    for (const writer of this.writers) bytes += writer.bytesOut;
    return bytes;
  }
  /** Combines the input channels' watermarks (tasks with inputs). */
  private valve: InputValve | undefined;
  /** Restored in-flight input to replay, and the channel of the batch in progress (unaligned checkpoints). */
  private readonly unprocessed = new UnprocessedInput();
  /** Checkpoints (not savepoints) are unaligned: execution.checkpointing.unaligned.enabled with EXACTLY_ONCE. */
  private get unaligned(): boolean {
    return this.descriptor.unalignedCheckpoints === true && this.mode === 'EXACTLY_ONCE';
  }

  constructor(
    readonly descriptor: TaskDeploymentDescriptor,
    private readonly network: TaskNetwork,
    private readonly loadJob: (descriptor: TaskDeploymentDescriptor) => Promise<CompiledJob>,
    private readonly checkpointing: TaskCheckpointing,
    private readonly storage: StorageProvider,
    private readonly mode: CheckpointingMode,
    private readonly log: Logger,
    /** Called before each batch of work: the slot marks which task its thread runs (read after an out-of-memory end). */
    private readonly markActive: () => void = () => undefined,
    /** Where a source reader's events for its enumerator go. */
    private readonly sourceEvents?: SourceEventChannel,
  ) {
    this.snapshots = new TaskSnapshots(descriptor, checkpointing);
  }

  /** Snapshots at barriers, where savepoints write, and the uploads still running. */
  private readonly snapshots: TaskSnapshots;

  /** Flink's currentInputWatermark: the combined watermark of the inputs (-Infinity before any, and at a source). */
  get currentInputWatermark(): number {
    return this.valve?.currentWatermark ?? -Infinity;
  }

  /** Flink's currentOutputWatermark: the last watermark this task sent downstream (-Infinity before any). */
  get currentOutputWatermark(): number {
    return this.chain?.watermarkOutput.currentOutputWatermark ?? -Infinity;
  }

  get isSource(): boolean {
    return this.descriptor.inputs.length === 0;
  }

  /** The job checkpoints periodically: at the end of its data the task waits for the final checkpoint. */
  private get waitsForFinalCheckpoint(): boolean {
    return this.descriptor.finalCheckpoint === true;
  }

  /** A source takes checkpoint `barrier` between its next two batches; `terminate` ends its input after it. */
  triggerCheckpoint(barrier: BarrierInfo, location: SnapshotLocation | undefined, terminate: boolean): void {
    if (!this.isSource) throw new Error(`task ${this.descriptor.vertexName} is not a source; only sources are triggered`);
    if (this.finishing) {
      this.declineFinishing(barrier.checkpointId);
      return;
    }
    if (location) this.snapshots.announceLocation(barrier.checkpointId, location);
    if (terminate) this.terminateAfter = barrier.checkpointId;
    this.triggered.push(terminate ? { ...barrier, terminate: true } : barrier);
    this.eventsBeforeTrigger.push(this.chain?.source?.receivedEvents ?? 0);
    this.wakeUp?.();
  }

  /** An event of the split enumerator for this task's source reader: applied by the task loop, in order with triggers. */
  handleOperatorEvent(operatorId: string, event: Uint8Array): void {
    const chain = this.chain;
    if (chain === undefined) {
      // Before the chain is built (an enumerator re-serving the readers of an adopted job may be that early): its source takes it once built.
      this.earlyOperatorEvents.push({ operatorId, event });
      return;
    }
    if (!chain.source?.handleOperatorEvent || chain.sourceOperatorId !== operatorId) {
      this.log.warn({ operatorId }, 'operator event for a source this task does not run: dropped');
      return;
    }
    chain.source.handleOperatorEvent(event);
    this.wakeUp?.();
  }

  /** Where checkpoint `checkpointId` writes, when not the default (told before its barrier arrives). */
  announceLocation(checkpointId: number, location: SnapshotLocation): void {
    this.snapshots.announceLocation(checkpointId, location);
  }

  /**
   * Every subtask acknowledged `checkpointId`: two-phase-commit sinks commit.
   * `final`: every task had ended its data when it took this checkpoint, so
   * once committed this task may finish (ignored by a task whose data has
   * not ended: an attempt deployed after the checkpoint was taken).
   */
  notifyCheckpointComplete(checkpointId: number, final = false): Promise<void> {
    const chain = this.chain;
    this.notifications = this.notifications.then(async () => {
      await chain?.source?.notifyCheckpointComplete?.(checkpointId);
      for (const member of chain?.members ?? []) await member.notifyCheckpointComplete?.(checkpointId);
      this.stopping.completed(checkpointId);
      if (final && this.dataEnded && !this.finalCompleted) {
        this.finalCompleted = true;
        this.log.info({ checkpointId }, 'final checkpoint completed: the task finishes');
        this.wakeUp?.();
      }
    });
    return this.notifications;
  }

  /** Checkpoint `checkpointId` failed: if it is the savepoint this task stops with, the task runs on. */
  notifyCheckpointAborted(checkpointId: number): void {
    this.stopping.abortedCheckpoint(checkpointId);
  }

  get cancelled(): boolean {
    return this.cancellation.cancelled;
  }

  get failure(): Error | undefined {
    return this.cancellation.failure;
  }

  cancel(): void {
    this.cancellation.cancel();
  }

  /** Fails the task from outside its loop (e.g. a commit on notification failed). */
  fail(err: unknown): void {
    this.cancellation.fail(err);
  }

  /** A checkpoint triggered once the loop ended: declined at once as "task closing" (finishing-decline.ts). */
  private declineFinishing(checkpointId: number): void {
    const d = this.descriptor;
    const why = finishingDeclineReason(`${d.vertexName} (${d.subtaskIndex + 1}/${d.parallelism})`, this.stopping.checkpointId, this.finalCompleted);
    void this.checkpointing.decline(d, checkpointId, why, true);
  }

  /** Runs to the end; reports every state change. Never rejects. */
  async run(report: (report: TaskReport) => void): Promise<void> {
    this.report = report;
    const d = this.descriptor;
    const owner = `${d.vertexName} (${d.subtaskIndex + 1}/${d.parallelism})`;
    let chain: OperatorChain | undefined;
    try {
      report({ state: 'INITIALIZING' });
      const job = await this.loadJob(d);
      this.writers = d.outputs.map((o) => this.network.createResultPartition(o.partitionId, o.numberOfSubpartitions, { owner, sameSlot: o.sameSlotSubpartitions ?? [] }));
      const restored = d.restore ? restoredOperatorState(d.restore) : undefined;
      const sourceSplits = restored && d.operators[0] ? restored.sourceSplits.get(d.operators[0].id) : undefined;
      const built = buildOperatorChain(d, job, this.writers, sourceSplits, restored?.operatorStates, this.sourceEvents, this.io);
      chain = built;
      if (d.restore) await restoreKeyedState(d.restore, built, this.storage, this.log, this.cancellation.signal);
      this.chain = chain;
      for (const early of this.earlyOperatorEvents.splice(0)) this.handleOperatorEvent(early.operatorId, early.event);
      const channels = d.inputs.flatMap((input) => input.channels);
      this.gate = channels.length > 0 ? this.network.createInputGate(channels, { owner }) : undefined;
      this.unprocessed.restore(await restoreChannelState(d, this.writers, channels.length, this.storage, this.log));
      for (const member of chain.members) await member.open?.();
      await chain.source?.open?.();
      this.cancellation.throwIfCancelled();
      report({ state: 'RUNNING' });
      if (chain.source) await this.runSource(chain);
      else await this.runInput(chain);
      this.cancellation.throwIfCancelled();
      // From here on no barrier can be taken: a trigger would wait for an acknowledgement forever.
      this.finishing = true;
      for (let barrier = this.triggered.shift(); barrier; barrier = this.triggered.shift()) this.declineFinishing(barrier.checkpointId);
      // Stop with savepoint: its sources ended after it completed; its notification commits here.
      if (this.stopping.active) await this.stopSavepointOutcome(STOP_NOTIFICATION_TIMEOUT_MS);
      await this.cancellation.race(this.notifications); // commits of completed checkpoints settle before the final one
      if (!this.stopping.active && !this.dataEnded) {
        for (const member of chain.members) await member.endInput?.(); // a bounded input's end, without a final checkpoint
      }
      for (const member of chain.members) await member.finish?.();
      for (const writer of this.writers) writer.broadcastEvent({ kind: 'end-of-partition' });
      await this.cancellation.race(Promise.all(this.writers.map((w) => w.whenFullyConsumed())));
      await this.cancellation.race(this.snapshots.settled());
      const result: Record<string, unknown[]> = {};
      for (const member of chain.members) Object.assign(result, member.result?.());
      report({ state: 'FINISHED', result });
    } catch (err) {
      for (const writer of this.writers) writer.release(err instanceof Error ? err : new Error(String(err)));
      if (this.cancelled && !this.cancellation.failure) {
        report({ state: 'CANCELED' });
      } else {
        this.log.warn({ task: owner, err: describeFailure(err) }, 'task failed');
        report({ state: 'FAILED', failure: describeFailure(err) });
      }
    } finally {
      this.gate?.close();
      await Promise.allSettled([
        chain?.source?.close?.(),
        ...(chain?.members ?? []).map(async (member) => member.close?.()),
      ]);
    }
  }

  private async runSource(chain: OperatorChain): Promise<void> {
    const source = chain.source!;
    let batches = 0;
    /**
     * Records per source batch: adapted so that a batch takes about
     * YIELD_AFTER_MS, since the task yields only between batches: with a slow
     * user function in the chain (a map of 5 ms per record), a fixed batch of
     * 1024 records would hold the slot's thread, and every other task of the
     * slot (their deployment, records, barriers), for seconds. It starts
     * small and doubles while batches are quick.
     */
    let batchSize = FIRST_SOURCE_BATCH;
    for (;;) {
      this.cancellation.throwIfCancelled();
      await this.takeTriggeredCheckpoints(chain, () => true);
      source.applyEvents?.(Infinity);
      if (this.terminateAfter !== undefined) {
        // Flink's synchronous savepoint: no record follows until it completed (end) or failed (the job runs on).
        if (await this.stopSavepointOutcome()) return;
        this.log.warn({ checkpointId: this.terminateAfter }, 'the savepoint of a stop failed: the source runs on');
        this.terminateAfter = undefined;
        this.stopping.clear();
        continue;
      }
      if (this.dataEnded) {
        if (this.finalCompleted) return;
        await this.cancellation.race(this.time.idleWhile(new Promise<void>((resolve) => (this.wakeUp = resolve))));
        this.wakeUp = undefined;
        continue;
      }
      this.markActive();
      chain.timestamp.value = NaN; // source records carry no timestamp (an assigner gives them one)
      const started = performance.now();
      const emitted = source.emit(chain.head, batchSize);
      const more = typeof emitted === 'boolean' || emitted === 'wait' ? emitted : await emitted;
      batchSize = nextBatchSize(batchSize, performance.now() - started);
      if (more === 'wait') {
        await this.afterBatch(chain, ++batches);
        await this.awaitSource(chain, source);
        continue;
      }
      if (chain.periodic.length > 0) firePeriodic(chain, this.markActive);
      await this.afterBatch(chain, ++batches);
      if (!more) {
        // The end of a bounded input: the final watermark fires every event-time timer downstream (Flink's MAX_WATERMARK).
        chain.watermarkInput.processWatermark(Infinity);
        if (!this.waitsForFinalCheckpoint) return;
        await this.endData(chain);
      }
    }
  }

  /**
   * The checkpoints triggered at this source, in order, while `take(next)`
   * allows. A source's barrier starts here: its start delay is the trigger
   * taking effect; it aligns nothing.
   */
  private async takeTriggeredCheckpoints(chain: OperatorChain, take: (barrier: BarrierInfo) => boolean): Promise<void> {
    const source = chain.source!;
    for (let barrier = this.triggered[0]; barrier !== undefined && take(barrier); barrier = this.triggered[0]) {
      this.triggered.shift();
      source.applyEvents?.(this.eventsBeforeTrigger.shift() ?? Infinity);
      const unaligned = this.unaligned && !barrier.savepoint;
      await this.takeCheckpoint(chain, unaligned ? { ...barrier, unaligned: true } : barrier, { alignmentDurationMs: 0, startDelayMs: Math.max(0, Date.now() - barrier.timestamp) });
    }
  }

  /**
   * A source with nothing to read waits — never spins — for its reader's
   * availability, an operator event or a trigger (wakeUp), or clock work.
   */
  private async awaitSource(chain: OperatorChain, source: SourceReader): Promise<void> {
    if (this.triggered.length > 0 || (source.pendingEvents ?? 0) > 0 || this.cancelled) return;
    const woken = new Promise<void>((resolve) => (this.wakeUp = resolve));
    const delay = msUntilClockWork(chain);
    const waits = [source.whenAvailable?.() ?? Promise.resolve(), woken];
    if (delay !== undefined) waits.push(sleep(delay));
    await this.cancellation.race(this.time.idleWhile(Promise.race(waits)));
    this.wakeUp = undefined;
    if (chain.periodic.length > 0) firePeriodic(chain, this.markActive);
  }

  /**
   * The task's input ended and the job checkpoints: flush what the chain
   * holds, tell downstream (end-of-data: no record follows, barriers still
   * do) and the JobManager, and keep taking checkpoints until the final one
   * completes. No timer fires after this point (as at the end of input).
   */
  private async endData(chain: OperatorChain): Promise<void> {
    this.dataEnded = true;
    for (const member of chain.members) {
      const pending = member.drainPending?.();
      if (pending) await this.cancellation.race(pending);
      await this.cancellation.race(Promise.resolve(member.endInput?.()));
    }
    for (const writer of this.writers) writer.broadcastEvent({ kind: 'end-of-data' });
    this.log.info({}, 'end of data: waiting for the final checkpoint');
    this.report({ state: 'RUNNING', endOfData: true });
  }

  private async runInput(chain: OperatorChain): Promise<void> {
    const gate = this.gate!;
    const keyed = chain.keyed;
    let unfinished: BatchInProgress | undefined; // a batch from the gate not yet processed to its end (see processSlice)
    const events = new InputEvents(this.descriptor, this.mode, gate, chain.watermarkInput, {
      aligned: (barrier, metrics) => (this.aligned = { barrier, metrics }),
      aborted: (checkpointId, reason) => void this.checkpointing.decline(this.descriptor, checkpointId, reason),
      unalignedBarrier: (event) => this.takeUnalignedCheckpoint(chain, gate, event, undefined),
      allDataEnded: async () => {
        if (this.waitsForFinalCheckpoint && !this.dataEnded) await this.endData(chain);
      },
    });
    this.valve = events.valve;
    const elementTimestamp = chain.timestamp;
    let batches = 0;
    /** An unaligned checkpoint's barrier overtakes everything, the rest of a batch in progress too. */
    const takePriority = async (): Promise<void> => {
      const entry = gate.poll();
      if (entry !== undefined && 'event' in entry && entry.event.kind === 'barrier') await this.takeUnalignedCheckpoint(chain, gate, entry.event, unfinished);
    };
    for (;;) {
      this.cancellation.throwIfCancelled();
      if (this.aligned) {
        const { barrier, metrics } = this.aligned;
        this.aligned = undefined;
        await this.takeCheckpoint(chain, barrier, metrics);
      }
      if (keyed && !this.dataEnded && keyed.msUntilNextTimer(Date.now()) === 0) {
        this.markActive();
        keyed.fireDueTimers(Date.now());
      }
      if (chain.periodic.length > 0 && !this.dataEnded) firePeriodic(chain, this.markActive);
      if (gate.hasPriorityEvent) {
        await takePriority();
        continue;
      }
      if (unfinished !== undefined) {
        // The rest of a batch a slow function did not get through in one turn: before anything behind it in the gate.
        this.markActive();
        unfinished = processSlice(unfinished);
        await this.afterBatch(chain, ++batches, takePriority);
        continue;
      }
      const entry = this.unprocessed.nextReplayed() ?? gate.poll();
      if (entry === undefined) {
        if (gate.failure) throw gate.failure;
        // All inputs ended: upstream ends its partitions only after the final checkpoint completed (or a stop with savepoint).
        if (gate.finished) return;
        const delay = this.dataEnded ? undefined : msUntilClockWork(chain);
        await this.cancellation.race(this.time.idleWhile(delay === undefined ? gate.whenAvailable() : Promise.race([gate.whenAvailable(), sleep(delay)])));
        continue;
      }
      if ('records' in entry) {
        const head = events.channelInputs[entry.channel] === 2 ? chain.second! : chain.head;
        this.io.recordsIn += entry.records.length;
        this.markActive();
        const keyGroups = head.collectInKeyGroup === undefined ? undefined : entry.keyGroups;
        this.unprocessed.started(entry.channel);
        unfinished = processSlice({ records: entry.records, timestamps: entry.timestamps, keyGroups, head, next: 0, timestamp: elementTimestamp });
        await this.afterBatch(chain, ++batches, takePriority);
      } else {
        if (entry.event.kind === 'watermark') this.markActive();
        await events.handle(entry.channel, entry.event);
      }
    }
  }

  /**
   * An unaligned checkpoint's first barrier at this task: snapshot now. The
   * in-flight input is what the task has not processed yet — the rest of
   * the batch in progress, restored batches not yet replayed, and what the
   * gate records until every channel's barrier arrived.
   */
  private async takeUnalignedCheckpoint(chain: OperatorChain, gate: NonNullable<StreamTask['gate']>, event: Extract<InputGateEntry, { event: unknown }>['event'] & { kind: 'barrier' }, unfinished: BatchInProgress | undefined): Promise<void> {
    const recording = gate.recordingOf(event.checkpointId);
    if (recording !== undefined) this.unprocessed.recordInto(recording, unfinished);
    const barrier: BarrierInfo = { checkpointId: event.checkpointId, timestamp: event.timestamp, savepoint: false, unaligned: true };
    await this.takeCheckpoint(chain, barrier, { alignmentDurationMs: 0, startDelayMs: Math.max(0, Date.now() - event.timestamp) }, recording);
  }

  private async takeCheckpoint(chain: OperatorChain, barrier: BarrierInfo, metrics: SubtaskCheckpointMetrics, input?: InputChannelStateRecording): Promise<void> {
    if (barrier.terminate === true) this.stopping.begin(barrier.checkpointId);
    await this.snapshots.take(chain, this.writers, barrier, metrics, { dataEnded: this.dataEnded, inputChannels: this.gate?.numberOfChannels ?? 0, input });
  }

  /** Resolves when a checkpoint that may be taken during backpressure arrives (a source's trigger, a gate's overtaking barrier). */
  private whenCheckpointArrives(): Promise<void> {
    if (this.gate !== undefined) return this.gate.whenPriorityEvent();
    if (this.triggered.some((barrier) => !barrier.savepoint)) return Promise.resolve();
    return new Promise<void>((resolve) => (this.wakeUp = resolve));
  }

  /** Between batches: let asynchronous sinks catch up, honour backpressure, and yield. */
  private async afterBatch(chain: OperatorChain, batches: number, takePriority?: () => Promise<void>): Promise<void> {
    for (const member of chain.members) {
      const pending = member.drainPending?.();
      if (pending) await this.cancellation.race(pending);
    }
    for (const writer of this.writers) {
      while (!writer.isAvailable()) {
        if (!this.unaligned) {
          await this.cancellation.race(this.time.backPressuredWhile(writer.whenAvailable()));
          continue;
        }
        // Unaligned checkpoints do not wait for backpressure: a barrier (a source's trigger, a task's overtaking barrier) is taken while waiting.
        await this.cancellation.race(this.time.backPressuredWhile(Promise.race([writer.whenAvailable(), this.whenCheckpointArrives()])));
        this.wakeUp = undefined;
        if (this.gate?.failure) throw this.gate.failure;
        if (chain.source) await this.takeTriggeredCheckpoints(chain, (barrier) => !barrier.savepoint);
        else if (this.gate?.hasPriorityEvent === true && takePriority !== undefined) await takePriority();
      }
    }
    const now = performance.now();
    if (batches % YIELD_EVERY_BATCHES === 0 || now - this.lastYield >= YIELD_AFTER_MS) {
      this.lastYield = now;
      await yieldToEventLoop();
    }
  }

  private stopSavepointOutcome(timeoutMs?: number): Promise<boolean> {
    return this.stopping.completedOrGivenUp((outcome) => this.cancellation.race(this.time.idleWhile(outcome)), this.log, timeoutMs);
  }
}

/** How long a stopping task whose input ended waits for its savepoint's completion notification. */
const STOP_NOTIFICATION_TIMEOUT_MS = 30_000;
