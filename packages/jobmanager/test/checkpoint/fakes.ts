/**
 * Testing fakes for the checkpoint coordinator: a clock the test moves, an
 * in-memory storage that records what happens to it (and can fail or hold
 * writes), and a harness wiring a coordinator to a two-vertex job
 * (source → keyed window) with recorded trigger / notify / failJob calls.
 */
import {
  assignKeyGroups,
  silentLogger,
  subtaskMemberId,
  subtaskStateFolderOf,
  type AssignmentTable,
  type Logger,
  type SubtaskStateSnapshot,
} from '@rivulet/common';
import {
  CheckpointCoordinator,
  StandaloneCheckpointIdCounter,
  StandaloneCompletedCheckpointStore,
  type Cancellable,
  type CheckpointCoordinatorConfiguration,
  type CheckpointIdCounter,
  type CheckpointPlan,
  type CheckpointPlanOutcome,
  type CheckpointStorageAccess,
  type CheckpointTimers,
  type CheckpointTrigger,
  type CompletedCheckpointStore,
  type SnapshotStorages,
} from '../../src/checkpoint/index.js';

/** Lets every pending promise callback run (the coordinator's async steps use real promises). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface ScheduledTask {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void;
  cancelled: boolean;
}

export class FakeTimers implements CheckpointTimers {
  ms = 1_700_000_000_000;
  private seq = 0;
  private tasks: ScheduledTask[] = [];

  readonly now = (): number => this.ms;

  schedule(delayMs: number, task: () => void): Cancellable {
    const scheduled: ScheduledTask = { at: this.ms + Math.max(0, delayMs), seq: this.seq++, task, cancelled: false };
    this.tasks.push(scheduled);
    return { cancel: () => { scheduled.cancelled = true; } };
  }

  /** Number of armed timers. */
  get armed(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, running each due task at its time, promises flushed in between. */
  async advance(ms: number): Promise<void> {
    const end = this.ms + ms;
    for (;;) {
      await flush();
      this.tasks = this.tasks.filter((t) => !t.cancelled);
      const due = this.tasks.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.tasks.splice(this.tasks.indexOf(due), 1);
      this.ms = due.at;
      due.task();
    }
    this.ms = end;
    await flush();
  }
}

/** In-memory storage; every put and delete is appended to `events` as `put <path>` / `delete <path>`. */
export class InMemoryStorage implements CheckpointStorageAccess {
  readonly files = new Map<string, Uint8Array>();
  /** Puts to paths it matches fail with this error. */
  failPuts: { match: RegExp; error: Error } | undefined;
  /** Puts to matching paths wait until `release()`. */
  holdPuts: RegExp | undefined;
  private held: (() => void)[] = [];

  constructor(
    readonly events: string[] = [],
    private readonly name = '',
  ) {}

  async put(path: string, data: Uint8Array): Promise<void> {
    if (this.holdPuts?.test(path)) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.failPuts?.match.test(path)) throw this.failPuts.error;
    this.files.set(path, data);
    this.events.push(`put ${this.name}${path}`);
  }

  async get(path: string): Promise<Uint8Array> {
    const data = this.files.get(path);
    if (!data) throw new Error(`no such object: ${path}`);
    return data;
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async deleteRecursive(path: string): Promise<void> {
    for (const key of [...this.files.keys()]) if (key === path || key.startsWith(`${path}/`)) this.files.delete(key);
    this.events.push(`delete ${this.name}${path}`);
  }

  release(): void {
    const held = this.held;
    this.held = [];
    held.forEach((resolve) => resolve());
  }

  paths(prefix = ''): string[] {
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
}

export const JOB_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const MAX_PARALLELISM = 16;

export function configuration(overrides: Partial<CheckpointCoordinatorConfiguration> = {}): CheckpointCoordinatorConfiguration {
  return {
    intervalMs: 1000,
    timeoutMs: 10_000,
    minPauseMs: 0,
    maxConcurrentCheckpoints: 1,
    tolerableFailedCheckpoints: 0,
    mode: 'EXACTLY_ONCE',
    unaligned: false,
    numRetained: 1,
    externalizedRetention: 'NO_EXTERNALIZED_CHECKPOINTS',
    historySize: 10,
    ...overrides,
  };
}

/** Source (operator "source") → keyed window (operator "window"), both at `parallelism`, attempt ids `src-<i>@<attempt>`, `win-<i>@<attempt>`. */
export function twoVertexPlan(parallelism: number, attempt = 1): CheckpointPlan & { readonly table: AssignmentTable } {
  const table = assignKeyGroups({
    members: Array.from({ length: parallelism }, (_, i) => subtaskMemberId(i)),
    numberOfKeyGroups: MAX_PARALLELISM,
  });
  const tasks = Array.from({ length: parallelism }, (_, i) => [
    { executionAttemptId: `src-${i}@${attempt}`, taskName: `Source (${i + 1}/${parallelism})`, subtaskIndex: i, operatorIds: ['source'] },
    { executionAttemptId: `win-${i}@${attempt}`, taskName: `Window (${i + 1}/${parallelism})`, subtaskIndex: i, operatorIds: ['window'] },
  ]).flat();
  return {
    maxParallelism: MAX_PARALLELISM,
    operators: [
      { operatorId: 'source', parallelism },
      { operatorId: 'window', parallelism, keyGroupAssignment: table },
    ],
    tasks,
    table,
  };
}

export interface HarnessOptions {
  readonly parallelism?: number;
  readonly config?: Partial<CheckpointCoordinatorConfiguration>;
  readonly counter?: CheckpointIdCounter;
  readonly store?: CompletedCheckpointStore;
  readonly timers?: FakeTimers;
  readonly events?: string[];
  /** @default silentLogger() */
  readonly log?: Logger;
}

/** A coordinator with fakes around it; `events` is one ordered log of storage, trigger and notify calls. */
export class Harness {
  readonly events: string[];
  readonly timers: FakeTimers;
  readonly storage: InMemoryStorage;
  readonly savepointStorages = new Map<string, InMemoryStorage>();
  readonly triggers: CheckpointTrigger[] = [];
  /** Ids of checkpoints notified as final (every task's data had ended). */
  readonly finalNotifications: number[] = [];
  readonly failures: string[] = [];
  readonly counter: CheckpointIdCounter;
  readonly store: CompletedCheckpointStore;
  readonly coordinator: CheckpointCoordinator;
  plan: CheckpointPlanOutcome;
  triggerError: Error | undefined;
  private suffix = 0;

  constructor(options: HarnessOptions = {}) {
    this.events = options.events ?? [];
    this.timers = options.timers ?? new FakeTimers();
    this.storage = new InMemoryStorage(this.events);
    const config = configuration(options.config);
    this.counter = options.counter ?? new StandaloneCheckpointIdCounter();
    this.store = options.store ?? new StandaloneCompletedCheckpointStore(config.numRetained);
    this.plan = { kind: 'ready', plan: twoVertexPlan(options.parallelism ?? 2) };
    const storages: SnapshotStorages = {
      checkpoints: this.storage,
      checkpointRoot: 's3://bucket/checkpoints',
      savepoints: (dir) => {
        if (!dir.startsWith('s3://')) throw new Error(`unsupported scheme in ${dir}`);
        let storage = this.savepointStorages.get(dir);
        if (!storage) {
          storage = new InMemoryStorage(this.events, `${dir}:`);
          this.savepointStorages.set(dir, storage);
        }
        return storage;
      },
    };
    this.coordinator = new CheckpointCoordinator({
      jobId: JOB_ID,
      configuration: config,
      counter: this.counter,
      store: this.store,
      storages,
      planCheckpoint: () => this.plan,
      triggerSources: async (trigger) => {
        this.triggers.push(trigger);
        this.events.push(`trigger ${trigger.checkpointId}`);
        if (this.triggerError) throw this.triggerError;
      },
      notifyComplete: (id, final) => {
        this.events.push(`notify-complete ${id}`);
        if (final) this.finalNotifications.push(id);
      },
      notifyAborted: (id) => void this.events.push(`notify-aborted ${id}`),
      failJob: (reason) => void this.failures.push(reason),
      log: options.log ?? silentLogger(),
      timers: this.timers,
      randomSuffix: () => `r${++this.suffix}`,
    });
  }

  get currentPlan(): CheckpointPlan & { readonly table: AssignmentTable } {
    if (this.plan.kind !== 'ready') throw new Error('the plan is not ready');
    return this.plan.plan as CheckpointPlan & { readonly table: AssignmentTable };
  }

  /** The last trigger's checkpoint id. */
  get lastId(): number {
    const last = this.triggers.at(-1);
    if (!last) throw new Error('nothing was triggered');
    return last.checkpointId;
  }

  /**
   * What task `attemptId` would acknowledge for checkpoint `id`, after writing
   * its state file into the trigger's folder as a TaskManager would.
   */
  async snapshotOf(attemptId: string, id: number): Promise<SubtaskStateSnapshot> {
    const trigger = this.triggers.find((t) => t.checkpointId === id);
    if (!trigger) throw new Error(`checkpoint ${id} was not triggered`);
    const task = this.currentPlan.tasks.find((t) => t.executionAttemptId === attemptId);
    if (!task) throw new Error(`no task ${attemptId}`);
    const operatorId = task.operatorIds[0]!;
    const storage = trigger.location.root === null ? this.storage : this.savepointStorages.get(trigger.location.root)!;
    const file = `${subtaskStateFolderOf(operatorId, task.subtaskIndex)}/state`;
    if (operatorId === 'source') {
      const bytes = new TextEncoder().encode(JSON.stringify({ offset: id * 100 + task.subtaskIndex }));
      await storage.put(`${trigger.location.folder}/${file}`, bytes);
      return { format: 'rivulet.subtask-state.v1', operators: [{ operatorId, keyedState: [], timers: [], operatorState: { offset: id * 100 + task.subtaskIndex }, stateSize: bytes.length }] };
    }
    const groups = this.currentPlan.table.keyGroupsOf(subtaskMemberId(task.subtaskIndex));
    const keyedState = groups.map((keyGroup, i) => ({ keyGroup, path: file, offset: i * 10, length: 10 }));
    await storage.put(`${trigger.location.folder}/${file}`, new Uint8Array(groups.length * 10));
    return { format: 'rivulet.subtask-state.v1', operators: [{ operatorId, keyedState, timers: [], operatorState: null, stateSize: groups.length * 10 }] };
  }

  /** Every task of the plan (except `except`) writes its state and acknowledges checkpoint `id`. */
  async acknowledgeAll(id: number, except: readonly string[] = [], endedData: (attemptId: string) => boolean = () => false): Promise<void> {
    for (const task of this.currentPlan.tasks) {
      if (except.includes(task.executionAttemptId)) continue;
      this.coordinator.acknowledgeCheckpoint(task.executionAttemptId, id, await this.snapshotOf(task.executionAttemptId, id), endedData(task.executionAttemptId));
    }
    await flush();
  }

  /** Triggers a checkpoint on demand and lets the trigger reach the sources. */
  async triggerNow(): Promise<{ id: number; done: Promise<unknown> }> {
    const done = this.coordinator.triggerCheckpoint();
    done.catch(() => undefined);
    await flush();
    return { id: this.lastId, done };
  }
}
