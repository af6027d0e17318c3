import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { errorMessage, isTerminalExecutionState, type CheckpointMetadata, type LeaderSession, type Logger } from '@rivulet/common';
import type { Execution, ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { CompletedCheckpoint } from '../checkpoint/index.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import type { CoordinatedSource, CoordinatorThreadData, FromCoordinator, ToCoordinator } from './coordinator-messages.js';
import { InProcessCoordinator, type CoordinatorThread } from './in-process-coordinator.js';

const ENTRY = new URL('./source-coordinator-worker.js', import.meta.url);
const UNDELIVERABLE_GRACE_MS = 1000;
/** How often the thread is pinged; it is stuck when it has not answered for `unresponsiveAfterMs`. */
const PING_INTERVAL_MS = 1000;
const DEFAULT_UNRESPONSIVE_AFTER_MS = 10_000;
/** How long the enumerators' snapshotState may take before the coordinator counts as stuck (and the job fails over). */
const SNAPSHOT_TIMEOUT_MS = 60_000;
/** How long a closing thread may take to close its enumerators before it is terminated. */
const CLOSE_TIMEOUT_MS = 5000;

export interface SourceCoordinatorOptions {
  readonly jobId: string;
  readonly graph: ExecutionGraph;
  readonly gateway: TaskManagerGateway;
  readonly session: () => LeaderSession | undefined;
  /** The job's bundle (the JobManager's blob store); loaded only for fromSource operators. */
  readonly loadBundle: () => Promise<Uint8Array>;
  readonly compile: CoordinatorThreadData['compile'];
  /** Every source operator of the job: id, name, parallelism (as the job's graph runs now), and for a built-in one its variant and parameters. */
  readonly sources: () => readonly Omit<CoordinatedSource, 'restoredState'>[];
  /** An enumerator failed or the thread is stuck or gone: the job fails over globally (which restarts the coordinator). */
  readonly onFailure: (reason: string) => void;
  /** An event could not be delivered to a running reader: that attempt fails. */
  readonly onUndeliverable: (execution: Execution, reason: string) => void;
  /** How long an undeliverable event waits for its task's own end to be reported before it fails the task (default 1 s). */
  readonly undeliverableGraceMs?: number;
  readonly log: Logger;
  readonly unresponsiveAfterMs?: number;
  readonly snapshotTimeoutMs?: number;
}

interface Outgoing {
  readonly operatorId: string;
  readonly subtask: number;
  readonly attemptId: string;
  readonly event: Uint8Array;
}

/**
 * The split enumerators of one job, seen from its JobMaster (Flink's
 * OperatorCoordinator holder): they run in a worker thread of their own (the
 * source coordinator thread, source-coordinator-worker.ts) that imports the
 * job bundle, so user code can neither block nor crash the JobManager — or,
 * when the job's sources are all built-in and run no job code, on the main
 * thread over the same messages (InProcessCoordinator). A
 * thread that stops answering pings for `unresponsiveAfterMs`, exits, or
 * reports a failing enumerator fails the job over with an error naming the
 * source; the thread is terminated, and the restart starts a new one from
 * the enumerators' checkpoint.
 *
 * Invariants:
 * - events to a reader go to the execution attempt that registered it, one
 *   at a time per attempt (in the enumerator's order);
 * - around a checkpoint (Flink's event valve): the enumerators' snapshot is
 *   taken first; every event sent before it is delivered before the
 *   sources are triggered (so the readers' states hold its splits), and
 *   events produced after it are held until the triggers were sent (so the
 *   readers' states do not): `snapshot` closes the valve, `afterTrigger`
 *   opens it;
 * - what is posted while a thread is being started (reader events, a
 *   snapshot) reaches it once it runs, in order.
 */
export class SourceCoordinator {
  private worker: CoordinatorThread | undefined;
  private bundleFolder: string | undefined;
  private running = new Int32Array(new SharedArrayBuffer(4));
  private generation = 0;
  private lastPong = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private sequence = 0;
  private readonly sends = new Map<string, Promise<void>>();
  private valveClosed = false;
  private held: Outgoing[] = [];
  private readonly snapshots = new Map<number, { resolve: (states: Map<string, Uint8Array>) => void; reject: (err: Error) => void }>();
  private closed = false;
  private failed = false;
  /** A thread is being started (`start` awaits the bundle): what is posted meanwhile is queued. */
  private starting = false;
  /** What was posted while the thread was being started; posted once it runs. */
  private queued: ToCoordinator[] = [];
  private sources: readonly Omit<CoordinatedSource, 'restoredState'>[];

  constructor(private readonly options: SourceCoordinatorOptions) {
    this.sources = options.sources();
  }

  /** Whether operator `operatorId` is a source of this job with a split enumerator. */
  coordinates(operatorId: string): boolean {
    return this.sources.some((s) => s.operatorId === operatorId);
  }

  /**
   * Subtasks restart (`fresh`, their new attempts, about to be deployed)
   * from `restoredFrom` (undefined: nothing). When every subtask restarts,
   * or the coordinator failed, the enumerators are recreated from that
   * checkpoint; otherwise each restarting reader's uncovered splits go back
   * to its enumerator (Flink's subtaskReset).
   */
  restart(fresh: readonly Execution[], restoredFrom: CompletedCheckpoint | undefined, everySubtask: boolean): void {
    if (everySubtask || this.failed || !this.worker) {
      this.start(coordinatorStatesOf(restoredFrom?.metadata)).catch((err: unknown) => this.fail(`the source coordinator could not start: ${errorMessage(err)}`));
      return;
    }
    for (const execution of fresh) this.subtaskReset(execution.vertex.operatorIds, execution.subtaskIndex, restoredFrom?.checkpointId);
  }

  /**
   * Starts a new coordinator thread (ending a previous one): each
   * enumerator is restored from `states` (by operator id) when there is its
   * checkpoint, else created.
   */
  async start(states: ReadonlyMap<string, Uint8Array | null> = new Map()): Promise<void> {
    this.stopThread();
    this.closed = false;
    this.failed = false;
    this.queued = [];
    this.sources = this.options.sources();
    const generation = ++this.generation;
    const inProcess = this.sources.every((s) => s.builtin);
    this.starting = true;
    try {
      if (!this.bundleFolder && !inProcess) {
        const folder = await mkdtemp(join(tmpdir(), 'rivulet-source-coordinator-'));
        await writeFile(join(folder, 'bundle.mjs'), await this.options.loadBundle());
        this.bundleFolder = folder;
      }
    } finally {
      if (generation === this.generation) this.starting = false;
    }
    if (generation !== this.generation || this.closed) return;
    this.running = new Int32Array(new SharedArrayBuffer(4));
    const data: CoordinatorThreadData = {
      jobId: this.options.jobId,
      bundlePath: this.bundleFolder === undefined ? undefined : join(this.bundleFolder, 'bundle.mjs'),
      compile: this.options.compile,
      sources: this.sources.map((s) => {
        const state = states.get(s.operatorId);
        return state === undefined ? { ...s } : { ...s, restoredState: state };
      }),
      running: this.running.buffer as SharedArrayBuffer,
    };
    if (this.sources.length === 0) return;
    const worker: CoordinatorThread = inProcess ? new InProcessCoordinator(data) : new Worker(ENTRY, { workerData: data, name: `source-coordinator-${this.options.jobId}` });
    this.worker = worker;
    this.valveClosed = false;
    this.held = [];
    worker.on('message', (message: FromCoordinator) => {
      if (this.worker === worker) this.onMessage(message);
    });
    worker.on('error', (err) => {
      if (this.worker === worker) this.fail(`the source coordinator thread crashed: ${errorMessage(err)}`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker && !this.closed) this.fail(`the source coordinator thread exited (code ${code})`);
    });
    this.lastPong = Date.now();
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
    const queued = this.queued;
    this.queued = [];
    for (const message of queued) this.post(message);
    this.options.log.info({ sources: this.sources.map((s) => s.name), restored: this.sources.filter((s) => states.get(s.operatorId)).map((s) => s.operatorId), thread: inProcess ? 'main' : 'worker' }, 'source coordinator started');
  }

  /**
   * A new leader adopted every running task of a job whose enumerators are
   * all built-in (OwnedSplitEnumerator): starts them from `restoredFrom`
   * (the job's recovery point; none: created), then registers every adopted
   * reader with them again (addReader), in place of the registration the
   * lost leader had. They re-serve each reader the splits it owns that are
   * unassigned in that checkpoint — a split a reader already has or had is
   * ignored by it — and end with the state the lost enumerators had.
   */
  adopt(restoredFrom: CheckpointMetadata | undefined, readers: readonly Execution[]): void {
    this.start(coordinatorStatesOf(restoredFrom)).catch((err: unknown) => this.fail(`the source coordinator could not start: ${errorMessage(err)}`));
    for (const execution of readers) {
      for (const operatorId of execution.vertex.operatorIds) {
        if (!this.coordinates(operatorId)) continue;
        this.post({ kind: 'reader-adopted', operatorId, subtask: execution.subtaskIndex, attemptId: execution.attemptId, location: execution.slot?.dataHost ?? '' });
      }
    }
  }

  /**
   * An event of the reader of `operatorId` in attempt `attemptId`, sent by
   * the TaskManager of registration `registrationId`: dropped unless that
   * attempt is current, not ended, runs there and has that source.
   */
  readerEvent(registrationId: string, attemptId: string, operatorId: string, event: Uint8Array): void {
    const execution = this.options.graph.get(attemptId);
    if (!execution || execution.slot?.registrationId !== registrationId || isTerminalExecutionState(execution.state)) {
      this.options.log.debug({ attemptId, operatorId }, 'operator event of an unknown or stale attempt: dropped');
      return;
    }
    if (!this.coordinates(operatorId) || !execution.vertex.operatorIds.includes(operatorId)) {
      this.options.log.warn({ attemptId, operatorId }, 'operator event for an operator that is no source of this task: dropped');
      return;
    }
    this.post({ kind: 'reader-event', operatorId, attemptId, event: new Uint8Array(event) });
  }

  /** Subtask `subtask` of every source operator in `operatorIds` restarts from checkpoint `restoredFrom`. */
  subtaskReset(operatorIds: readonly string[], subtask: number, restoredFrom: number | undefined): void {
    for (const operatorId of operatorIds) {
      if (this.coordinates(operatorId)) this.post({ kind: 'subtask-reset', operatorId, subtask, restoredFrom });
    }
  }

  /**
   * The enumerators' states for checkpoint `checkpointId`, encoded, by
   * operator id; then closes the valve and waits until every event sent
   * before the snapshot was delivered. Call `afterTrigger` in any case.
   */
  async snapshot(checkpointId: number): Promise<Map<string, Uint8Array>> {
    if (this.failed || this.closed || (!this.worker && !this.starting)) throw new Error('the source coordinator is not running');
    const states = await new Promise<Map<string, Uint8Array>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`the split enumerators' snapshotState for checkpoint ${checkpointId} did not complete within ${SNAPSHOT_TIMEOUT_MS} ms`);
      }, this.options.snapshotTimeoutMs ?? SNAPSHOT_TIMEOUT_MS);
      const settle = (): void => clearTimeout(timer);
      this.snapshots.set(checkpointId, {
        resolve: (value) => (settle(), resolve(value)),
        reject: (err) => (settle(), reject(err)),
      });
      this.post({ kind: 'snapshot', checkpointId });
    });
    this.valveClosed = true;
    await Promise.allSettled([...this.sends.values()]);
    return states;
  }

  /** The sources were triggered for the checkpoint (or it was abandoned): held events go out. */
  afterTrigger(): void {
    this.valveClosed = false;
    const held = this.held;
    this.held = [];
    for (const outgoing of held) this.send(outgoing);
  }

  checkpointComplete(checkpointId: number): void {
    this.post({ kind: 'checkpoint-complete', checkpointId });
  }

  /** Closes the enumerators and ends the thread (the job ended or this JobManager stopped leading it). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    const worker = this.worker;
    if (worker && !this.failed) {
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (message: FromCoordinator) => {
          if (message.kind === 'closed') resolve();
        });
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ kind: 'close' } satisfies ToCoordinator);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
    }
    this.stopThread();
    const folder = this.bundleFolder;
    this.bundleFolder = undefined;
    if (folder) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }

  private onMessage(message: FromCoordinator): void {
    switch (message.kind) {
      case 'started':
      case 'closed':
        return;
      case 'pong':
        this.lastPong = Date.now();
        return;
      case 'to-reader': {
        const outgoing = { operatorId: message.operatorId, subtask: message.subtask, attemptId: message.attemptId, event: message.event };
        if (this.valveClosed) this.held.push(outgoing);
        else this.send(outgoing);
        return;
      }
      case 'snapshot-done':
        this.snapshots.get(message.checkpointId)?.resolve(new Map(Object.entries(message.states)));
        this.snapshots.delete(message.checkpointId);
        return;
      case 'snapshot-failed':
        this.snapshots.get(message.checkpointId)?.reject(new Error(message.reason));
        this.snapshots.delete(message.checkpointId);
        return;
      case 'failed':
        this.fail(message.reason);
        return;
    }
  }

  /** Sends `outgoing` to its attempt after the attempt's previous events; dropped when that attempt no longer runs. */
  private send(outgoing: Outgoing): void {
    const previous = this.sends.get(outgoing.attemptId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(outgoing));
    this.sends.set(outgoing.attemptId, next);
    void next.finally(() => {
      if (this.sends.get(outgoing.attemptId) === next) this.sends.delete(outgoing.attemptId);
    });
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    const execution = this.options.graph.get(outgoing.attemptId);
    const session = this.options.session();
    if (!execution || !execution.slot || isTerminalExecutionState(execution.state) || !session) return;
    try {
      await this.options.gateway.sendOperatorEvent(execution.slot.rpcAddress, session, this.options.jobId, outgoing.attemptId, outgoing.operatorId, outgoing.event);
    } catch (err) {
      // The task may have ended on its TaskManager a moment ago, its final state still on the way ("no task … runs
      // here"): that report gets time to arrive, so the job shows the task's own failure, not this lost event.
      await new Promise((resolve) => setTimeout(resolve, this.options.undeliverableGraceMs ?? UNDELIVERABLE_GRACE_MS));
      const current = this.options.graph.get(outgoing.attemptId);
      if (!current || isTerminalExecutionState(current.state) || this.closed) return;
      this.options.onUndeliverable(current, `an event of the split enumerator of ${this.describe(outgoing.operatorId)} could not be delivered to its reader: ${errorMessage(err)}`);
    }
  }

  private ping(): void {
    const worker = this.worker;
    if (!worker || this.closed || this.failed) return;
    if (Date.now() - this.lastPong > (this.options.unresponsiveAfterMs ?? DEFAULT_UNRESPONSIVE_AFTER_MS)) {
      const index = Atomics.load(this.running, 0);
      const source = index > 0 ? this.sources[index - 1] : undefined;
      this.fail(source
        ? `the split enumerator of ${this.describe(source.operatorId)} blocks the source coordinator thread: no answer for ${Date.now() - this.lastPong} ms`
        : `the source coordinator thread does not answer (${Date.now() - this.lastPong} ms)`);
      return;
    }
    worker.postMessage({ kind: 'ping', sequence: ++this.sequence } satisfies ToCoordinator);
  }

  private post(message: ToCoordinator): void {
    if (this.failed || this.closed) return;
    if (!this.worker) {
      this.queued.push(message);
      return;
    }
    const transfer = 'event' in message ? [message.event.buffer as ArrayBuffer] : [];
    this.worker.postMessage(message, transfer);
  }

  /** The coordinator failed: its thread ends, pending snapshots fail, and the job fails over. */
  private fail(reason: string): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.options.log.warn({ reason }, 'source coordinator failed');
    this.stopThread();
    this.options.onFailure(reason);
  }

  private stopThread(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
    for (const { reject } of this.snapshots.values()) reject(new Error('the source coordinator stopped'));
    this.snapshots.clear();
    this.valveClosed = false;
    this.held = [];
  }

  private describe(operatorId: string): string {
    const source = this.sources.find((s) => s.operatorId === operatorId);
    return `source '${source?.name ?? operatorId}' (${operatorId})`;
  }
}

/**
 * The split enumerators' checkpoints in a snapshot's metadata, by operator
 * id (empty without a snapshot); null for an operator the snapshot has
 * without one (metadata written before its source had an enumerator).
 */
export function coordinatorStatesOf(metadata: CheckpointMetadata | undefined): Map<string, Uint8Array | null> {
  const states = new Map<string, Uint8Array | null>();
  for (const operator of metadata?.operators ?? []) {
    states.set(operator.operatorId, operator.coordinatorState === undefined ? null : new Uint8Array(Buffer.from(operator.coordinatorState, 'base64')));
  }
  return states;
}
