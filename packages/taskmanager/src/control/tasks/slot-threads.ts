import type { Configuration, Logger } from '@rivulet/common';
import type { TcpNetworkEnvironment } from '../../network/tcp-network-environment.js';
import type { TaskLocalStateStore } from '../local-state/local-state-store.js';
import { ServedPartitions } from '../slots/served-partitions.js';
import { NetworkStatsTotal } from '../slots/network-stats-total.js';
import type { NetworkStats } from '../../network/stats.js';
import { SlotThread, type SlotThreadEnd } from '../slots/slot-thread.js';
import type { TaskMetrics } from '../task-metrics.js';
import type { CheckpointResponder } from '../../slot/checkpointing/task-checkpointing.js';
import type { OperatorEventSender } from './operator-event-sender.js';
import type { FromSlot, SlotNetworkSettings, ToSlot } from '../../protocol/slot-messages.js';
import type { TaskReport } from '../../slot/task/task-report.js';
import type { TaskDeploymentDescriptor } from '@rivulet/common';

export interface SlotThreadsListener {
  report(attemptId: string, report: TaskReport): void;
  ended(attemptId: string): void;
  /** The thread of `allocationId` ended on its own or was terminated; its tasks end with `cause`. */
  threadEnded(allocationId: string, cause: string, runningTask: number): void;
}

export interface SlotThreadsOptions {
  readonly resourceId: string;
  readonly config: Configuration;
  readonly network: TcpNetworkEnvironment;
  readonly networkSettings: SlotNetworkSettings;
  readonly heapLimitMb: number;
  readonly responder: CheckpointResponder;
  /** Where source readers' operator events go (the JobManager). */
  readonly operatorEvents: OperatorEventSender;
  readonly descriptorOf: (attemptId: string) => TaskDeploymentDescriptor | undefined;
  readonly localState: TaskLocalStateStore | undefined;
  readonly metrics: TaskMetrics;
  readonly log: Logger;
  /** Timers for the release grace (tests observe them); default: unref'd setTimeout. */
  readonly schedule?: ScheduleTimer;
}

interface Entry {
  readonly slotIndex: number;
  readonly allocationId: string;
  readonly jobId: string;
  readonly thread: SlotThread;
  readonly served: ServedPartitions;
  /** Tasks deployed and not yet ended. */
  tasks: number;
  /** Released: the thread ends once its tasks did (or at the cancellation timeout). */
  released: boolean;
  /** Why the thread was terminated by the control thread, when it was. */
  terminatedBecause: string | undefined;
  /** The release's grace timer (task.cancellation.timeout), cleared when the thread ends: pending, it holds the entry — thread, Worker, logger — for its whole delay. */
  releaseTimer: { cancel(): void } | undefined;
}

/** Runs `task` after `delayMs` without keeping the process alive; the handle cancels it. */
export type ScheduleTimer = (delayMs: number, task: () => void) => { cancel(): void };

const unrefTimer: ScheduleTimer = (delayMs, task) => {
  const timer = setTimeout(task, delayMs);
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
};

/**
 * The slot threads of a TaskManager: one per allocated slot (allocation),
 * started on the first deploy into it and ended when the allocation is
 * released and its tasks are done — so a job's code is gone from the
 * TaskManager with the job. Routes each thread's messages: the partitions
 * it serves to the data port (which redirects their consumers to the
 * thread's own data server), reports to the executor, checkpoint outcomes to
 * the JobManager, local-state requests to the store.
 */
export class SlotThreads {
  private readonly entries = new Map<string, Entry>();
  private listener: SlotThreadsListener | undefined;
  private readonly gone = new Map<string, Array<() => void>>();
  private stopping = false;
  /** Per slot, a started thread waiting for the slot's next job. */
  private readonly spares = new Map<number, { readonly thread: SlotThread; readonly holder: { entry?: Entry } }>();
  private readonly networkStats = new NetworkStatsTotal();

  constructor(private readonly options: SlotThreadsOptions) {
    options.metrics.countSlotThreadsWith(() => ({ job: this.entries.size, spare: this.spares.size }));
  }

  /** The TaskManager's data exchange: the data port's own figures plus every slot thread's. */
  totalNetworkStats(dataPort: NetworkStats | undefined): NetworkStats {
    return this.networkStats.total(dataPort);
  }

  setListener(listener: SlotThreadsListener): void {
    this.listener = listener;
  }

  /** The thread of the allocation, started when it has none. */
  forSlot(slotIndex: number, allocationId: string, jobId: string): { send(message: ToSlot): void } {
    let entry = this.entries.get(allocationId);
    if (!entry || !entry.thread.alive) entry = this.start(slotIndex, allocationId, jobId);
    entry.tasks += 1;
    entry.released = false;
    entry.releaseTimer?.cancel();
    entry.releaseTimer = undefined;
    const target = entry;
    return { send: (message) => target.thread.send(message) };
  }

  send(allocationId: string, message: ToSlot): void {
    this.entries.get(allocationId)?.thread.send(message);
  }

  hasJob(jobId: string): boolean {
    return [...this.entries.values()].some((e) => e.jobId === jobId);
  }

  /** A task of the allocation ended; a released allocation's thread ends with its last task. */
  taskEnded(allocationId: string): void {
    const entry = this.entries.get(allocationId);
    if (!entry) return;
    entry.tasks = Math.max(0, entry.tasks - 1);
    if (entry.released && entry.tasks === 0) void entry.thread.terminate();
  }

  /** The allocation was released: its thread ends once its tasks ended, at the latest after `graceMs`. */
  release(allocationId: string, graceMs: number): void {
    const entry = this.entries.get(allocationId);
    if (!entry) return;
    entry.released = true;
    if (entry.tasks === 0) {
      void entry.thread.terminate();
      return;
    }
    if (graceMs > 0 && entry.releaseTimer === undefined) {
      entry.releaseTimer = (this.options.schedule ?? unrefTimer)(graceMs, () => {
        entry.releaseTimer = undefined;
        // Still released and still this thread: a later deploy into the allocation keeps it.
        if (entry.released && this.entries.get(allocationId) === entry) void this.terminate(allocationId, `the slot was released and its tasks did not stop within ${graceMs} ms`);
      });
    }
  }

  releaseJob(jobId: string, graceMs: number): void {
    for (const entry of [...this.entries.values()]) if (entry.jobId === jobId) this.release(entry.allocationId, graceMs);
  }

  /** Ends the allocation's thread now; its tasks end with `because`. */
  async terminate(allocationId: string, because: string): Promise<void> {
    const entry = this.entries.get(allocationId);
    if (!entry || !entry.thread.alive) return;
    entry.terminatedBecause = because;
    await entry.thread.terminate();
  }

  /** Resolves once no thread of the job is left. */
  whenJobGone(jobId: string): Promise<void> {
    if (!this.hasJob(jobId)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiting = this.gone.get(jobId) ?? [];
      waiting.push(resolve);
      this.gone.set(jobId, waiting);
    });
  }

  /** Ends every thread: first lets tasks see their cancellation for up to `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.all(spares.map((spare) => spare.thread.terminate()));
    const entries = [...this.entries.values()];
    for (const entry of entries) entry.released = true;
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(entries.map((e) => (e.tasks === 0 ? e.thread.terminate() : e.thread.exited))), deadline]);
    await Promise.all(entries.map((e) => e.thread.terminate()));
  }

  /**
   * Starts a spare thread for every slot that has none, so a job's first
   * deploy into a slot finds a thread that has already loaded the runtime
   * (it has loaded no job: a spare becomes a job's thread only once).
   */
  prestart(slots: number): void {
    if (this.stopping) return;
    for (let slotIndex = 0; slotIndex < slots; slotIndex++) {
      if (!this.spares.has(slotIndex)) this.spares.set(slotIndex, this.newThread(slotIndex));
    }
  }

  private start(slotIndex: number, allocationId: string, jobId: string): Entry {
    const { options } = this;
    const log = options.log.child({ slot: slotIndex, jobId });
    const spare = this.spares.get(slotIndex);
    this.spares.delete(slotIndex);
    const { thread, holder } = spare !== undefined && spare.thread.alive ? spare : this.newThread(slotIndex);
    const served = new ServedPartitions(options.network, log);
    const entry: Entry = { slotIndex, allocationId, jobId, thread, served, tasks: 0, released: false, terminatedBecause: undefined, releaseTimer: undefined };
    holder.entry = entry;
    this.entries.set(allocationId, entry);
    return entry;
  }

  /** A thread not yet given to a job; `holder.entry` is set when it is. */
  private newThread(slotIndex: number): { thread: SlotThread; holder: { entry?: Entry } } {
    const { options } = this;
    const holder: { entry?: Entry } = {};
    const thread: SlotThread = new SlotThread({
      slotIndex,
      resourceId: options.resourceId,
      config: options.config,
      network: options.networkSettings,
      heapLimitMb: options.heapLimitMb,
      log: options.log.child({ slot: slotIndex }),
      onMessage: (message) => {
        if (message.kind === 'network-stats') this.networkStats.record(thread, message.stats);
        else if (holder.entry) this.onMessage(holder.entry, message);
      },
      onEnd: (end) => {
        this.networkStats.forget(thread);
        if (holder.entry) this.onEnd(holder.entry, end);
        else if (this.spares.get(slotIndex)?.thread === thread) this.spares.delete(slotIndex);
      },
    });
    return { thread, holder };
  }

  private onMessage(entry: Entry, message: FromSlot): void {
    if (entry.served.handle(message)) return;
    const { options } = this;
    switch (message.kind) {
      case 'task-report':
        this.listener?.report(message.attemptId, message.report);
        break;
      case 'task-ended':
        options.metrics.forget(message.attemptId);
        this.listener?.ended(message.attemptId);
        break;
      case 'checkpoint-ack': {
        const descriptor = options.descriptorOf(message.attemptId);
        if (descriptor) void options.responder.acknowledge(descriptor, message.checkpointId, message.stateHandles, message.endOfData, message.metrics);
        break;
      }
      case 'checkpoint-decline': {
        const descriptor = options.descriptorOf(message.attemptId);
        if (descriptor) void options.responder.decline(descriptor, message.checkpointId, message.reason, message.taskClosing === true);
        break;
      }
      case 'operator-event': {
        const descriptor = options.descriptorOf(message.attemptId);
        if (descriptor) options.operatorEvents.send(descriptor, message.operatorId, message.event);
        break;
      }
      case 'local-state-keep':
        options.localState?.keep(message.file, message.bytes, Promise.resolve(message.location));
        break;
      case 'local-state-read': {
        const store = options.localState;
        const answer = store ? store.read(message.checkpointId, message.location, message.offset, message.length) : Promise.resolve({ kind: 'miss' as const });
        void answer.then(
          (result) => entry.thread.send({ kind: 'reply', requestId: message.requestId, result }),
          (err: unknown) => entry.thread.send({ kind: 'reply', requestId: message.requestId, result: { kind: 'unreadable', file: message.location, reason: String(err) } }),
        );
        break;
      }
      case 'task-metrics':
        options.metrics.record(message.tasks, options.descriptorOf);
        break;
      case 'ready':
      case 'network-stats':
        break;
    }
  }

  private onEnd(entry: Entry, end: SlotThreadEnd): void {
    if (this.entries.get(entry.allocationId) === entry) this.entries.delete(entry.allocationId);
    entry.releaseTimer?.cancel();
    entry.releaseTimer = undefined;
    // The slot gets a fresh spare for its next job.
    if (!this.stopping && !this.spares.has(entry.slotIndex)) this.spares.set(entry.slotIndex, this.newThread(entry.slotIndex));
    const cause = this.describe(entry, end);
    if (end.reason !== 'terminated' || entry.terminatedBecause !== undefined) this.options.log.warn({ slot: entry.slotIndex, jobId: entry.jobId, reason: end.reason, cause }, 'slot thread ended');
    else this.options.log.info({ slot: entry.slotIndex, jobId: entry.jobId }, 'slot thread ended');
    entry.served.releaseAll(cause);
    this.listener?.threadEnded(entry.allocationId, cause, end.runningTask);
    if (!this.hasJob(entry.jobId)) {
      for (const resolve of this.gone.get(entry.jobId) ?? []) resolve();
      this.gone.delete(entry.jobId);
    }
  }

  private describe(entry: Entry, end: SlotThreadEnd): string {
    const slot = `slot ${entry.slotIndex} of TaskManager ${this.options.resourceId}`;
    switch (end.reason) {
      case 'out-of-memory':
        return `${slot} ran out of memory: its thread exceeded its heap limit of ${this.options.heapLimitMb} MB (taskmanager.memory.task.heap.size divided among the slots) and was ended (${end.message})`;
      case 'terminated':
        return `${slot} was ended: ${entry.terminatedBecause ?? 'its allocation was released'}`;
      case 'crashed':
        return `${slot} ended unexpectedly: ${end.message}`;
    }
  }
}
