import type { AssignmentTable, LeaderSession, Logger } from '@rivulet/common';
import {
  CheckpointCoordinator,
  StandaloneCheckpointIdCounter,
  StandaloneCompletedCheckpointStore,
  checkpointPlanOf,
  type CheckpointCoordinatorConfiguration,
  type CheckpointMetrics,
  type CheckpointTrigger,
  type CheckpointIdCounter,
  type CompletedCheckpointStore,
  type SnapshotStorages,
} from '../checkpoint/index.js';
import type { ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';

export interface JobCheckpointingOptions {
  readonly jobId: string;
  readonly graph: ExecutionGraph;
  readonly tables: () => ReadonlyMap<string, AssignmentTable>;
  readonly maxParallelism: number;
  readonly configuration: CheckpointCoordinatorConfiguration;
  readonly storages: SnapshotStorages;
  readonly gateway: TaskManagerGateway;
  readonly metrics: CheckpointMetrics;
  readonly session: () => LeaderSession | undefined;
  readonly failJob: (reason: string) => void;
  readonly log: Logger;
  /**
   * The job's split enumerators, snapshotted before the sources are
   * triggered (`afterTrigger` runs once the triggers were sent, or failed).
   */
  readonly coordinators?: {
    snapshot(checkpointId: number): Promise<ReadonlyMap<string, Uint8Array>>;
    afterTrigger(): void;
    checkpointComplete(checkpointId: number): void;
  };
  /** HA: the job's counter and completed-checkpoint store in etcd; default: in memory. */
  readonly counter?: CheckpointIdCounter;
  readonly store?: CompletedCheckpointStore;
}

/**
 * Connects a job's CheckpointCoordinator to its executions: triggers go to
 * the source subtasks (a savepoint's location is first announced to every
 * other subtask, so tasks that only see the barrier know where to write),
 * completion and abort notifications go to every TaskManager running the job.
 */
export class JobCheckpointing {
  readonly coordinator: CheckpointCoordinator;
  private readonly untrack: () => void;
  private started = false;
  /** Attempts that reported the end of their data (they wait for the final checkpoint). */
  private readonly endedData = new Set<string>();
  private finalTriggered = false;
  /** The latest checkpoint's enumerator snapshot and triggers (see triggerSources). */
  private enumeratorTriggers: Promise<void> = Promise.resolve();

  constructor(private readonly options: JobCheckpointingOptions) {
    this.coordinator = new CheckpointCoordinator({
      jobId: options.jobId,
      configuration: options.configuration,
      counter: options.counter ?? new StandaloneCheckpointIdCounter(),
      store: options.store ?? new StandaloneCompletedCheckpointStore(options.configuration.numRetained),
      storages: options.storages,
      planCheckpoint: () => checkpointPlanOf(options.graph, options.tables(), options.maxParallelism),
      triggerSources: (trigger) => this.triggerSources(trigger),
      notifyComplete: (checkpointId, final) => {
        options.coordinators?.checkpointComplete(checkpointId);
        return this.notify('NotifyCheckpointComplete', checkpointId, final);
      },
      notifyAborted: (checkpointId) => this.notify('NotifyCheckpointAborted', checkpointId),
      failJob: options.failJob,
      log: options.log,
    });
    this.untrack = options.metrics.track(options.jobId, this.coordinator.statistics);
  }

  /** Every subtask runs: periodic checkpoints begin (once). */
  startIfAllRunning(): void {
    if (this.started || !this.options.graph.allIn(['RUNNING'])) return;
    this.started = true;
    this.coordinator.startCheckpointScheduler();
    this.triggerFinalIfDataEnded();
  }

  /**
   * An attempt's data ended. Once every current attempt's has, the next
   * checkpoint is the final one: it is triggered now rather than at the
   * next interval, so a bounded job finishes as soon as it can.
   */
  onEndOfData(executionAttemptId: string): void {
    this.endedData.add(executionAttemptId);
    this.triggerFinalIfDataEnded();
  }

  private triggerFinalIfDataEnded(): void {
    const executions = this.options.graph.executions;
    if (!this.started || this.finalTriggered || !executions.every((e) => e.state === 'RUNNING' && this.endedData.has(e.attemptId))) return;
    this.finalTriggered = true;
    this.options.log.info({}, 'every task ended its data: triggering the final checkpoint');
    // A periodic checkpoint in flight may complete as final first: then that one answers this trigger.
    this.coordinator.triggerFinalCheckpoint().then(
      (completed) => this.options.log.debug({ checkpointId: completed.checkpointId }, 'the final checkpoint completed'),
      (err: unknown) => this.options.log.warn({ err: String(err) }, 'the final checkpoint failed; the next periodic one is taken instead'),
    ).finally(() => {
      this.finalTriggered = false;
    });
  }

  /**
   * A failover is under way: periodic checkpoints stop and pending ones are
   * aborted; they begin again once every subtask runs (startIfAllRunning).
   * Resolves when the latest completed checkpoint is final.
   */
  async suspend(reason: string): Promise<void> {
    this.started = false;
    await this.coordinator.stopCheckpointScheduler(reason);
  }

  async stop(reason: string): Promise<void> {
    await this.coordinator.stopCheckpointScheduler(reason);
  }

  async shutdown(status: 'FINISHED' | 'CANCELED' | 'FAILED' | 'SUSPENDED'): Promise<void> {
    await this.coordinator.shutdown(status);
    this.untrack();
  }

  private triggerSources(trigger: CheckpointTrigger): Promise<void> {
    if (!this.options.coordinators) return this.sendTriggers(trigger);
    // One checkpoint at a time from the enumerators' snapshot to its triggers: the events between
    // two snapshots must reach the readers after the first checkpoint's triggers and before the second's.
    const triggered = this.enumeratorTriggers.then(() => this.snapshotEnumeratorsAndTrigger(trigger));
    this.enumeratorTriggers = triggered.catch(() => undefined);
    return triggered;
  }

  private async snapshotEnumeratorsAndTrigger(trigger: CheckpointTrigger): Promise<void> {
    const coordinators = this.options.coordinators!;
    try {
      let states: ReadonlyMap<string, Uint8Array>;
      try {
        states = await coordinators.snapshot(trigger.checkpointId);
      } catch (err) {
        throw new Error(`the split enumerators' checkpoint failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      const encoded = new Map([...states].map(([operatorId, bytes]) => [operatorId, Buffer.from(bytes).toString('base64')] as const));
      if (!this.coordinator.setCoordinatorStates(trigger.checkpointId, encoded)) return;
      await this.sendTriggers(trigger);
    } finally {
      coordinators.afterTrigger();
    }
  }

  private async sendTriggers(trigger: CheckpointTrigger): Promise<void> {
    const session = this.requireSession();
    const request = {
      jobId: this.options.jobId,
      checkpointId: trigger.checkpointId,
      timestampMs: trigger.timestamp,
      savepoint: trigger.savepoint,
      locationRoot: trigger.location.root ?? '',
      locationFolder: trigger.location.folder,
      terminate: trigger.terminate,
    };
    const executions = this.options.graph.executions;
    if (trigger.location.root !== null) {
      await Promise.all(
        executions
          .filter((e) => !e.vertex.isSource && e.slot)
          .map((e) => this.options.gateway.triggerCheckpoint(e.slot!.rpcAddress, session, { ...request, executionAttemptId: e.attemptId, trigger: false })),
      );
    }
    await Promise.all(
      executions
        .filter((e) => e.vertex.isSource && e.slot)
        .map((e) => this.options.gateway.triggerCheckpoint(e.slot!.rpcAddress, session, { ...request, executionAttemptId: e.attemptId, trigger: true })),
    );
  }

  /** Tells every task again that the latest completed checkpoint completed (after a leader change; committing is idempotent). */
  renotifyLatestCompleted(): void {
    const latest = this.coordinator.latestCompletedCheckpoint();
    if (latest === undefined || latest.kind === 'savepoint' || this.options.session() === undefined) return;
    this.notify('NotifyCheckpointComplete', latest.checkpointId).catch((err: unknown) => {
      this.options.log.warn({ checkpointId: latest.checkpointId, err: String(err) }, 'could not notify the latest completed checkpoint again');
    });
  }

  private async notify(method: 'NotifyCheckpointComplete' | 'NotifyCheckpointAborted', checkpointId: number, final = false): Promise<void> {
    const session = this.requireSession();
    const executions = this.options.graph.executions.filter((e) => e.slot !== undefined);
    const addresses = new Set(executions.map((e) => e.slot!.rpcAddress));
    const current = executions.map((e) => e.attemptId);
    await Promise.all([...addresses].map((address) => this.options.gateway.notifyCheckpoint(address, session, method, this.options.jobId, checkpointId, current, final)));
  }

  private requireSession(): LeaderSession {
    const session = this.options.session();
    if (!session) throw new Error('this JobManager is not the leader');
    return session;
  }
}
