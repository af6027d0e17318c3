import {
  JOB_SCOPED_KEYS,
  RivuletError,
  errorMessage,
  isTerminalJobStatus,
  loadConfiguration,
  planRestore,
  newJobId,
  type Configuration,
  type LeaderSession,
  type Logger,
  type pb,
} from '@rivulet/common';
import type { BlobStore } from '../blob/blob-store.js';
import {
  readCheckpointMetadata,
  resolveCheckpointConfiguration,
  type CheckpointMetrics,
  type SnapshotStorages,
} from '../checkpoint/index.js';
import { parseJobGraph } from '../jobgraph/parse-job-graph.js';
import type { JobGraph } from '@rivulet/api';
import { JobMaster } from '../jobmaster/job-master.js';
import type { JobMetrics } from '../jobmaster/job-metrics.js';
import { createRestartStrategy } from '../failover/restart-strategy.js';
import { failoverRestoreOf, type JobRestore } from '../jobmaster/failover-restore.js';
import {
  EtcdCheckpointIdCounter,
  EtcdCompletedCheckpointStore,
  recoverLatestCheckpoint,
  type EtcdClient,
  type EtcdJobStore,
  type LeaderFence,
  type StoredJob,
} from '../highavailability/index.js';
import type { JobManagerMetrics } from '../metrics.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import { ArchivedJobStore, JobDirectory, type JobCounts, type JobView } from '../jobstore/index.js';
import { settleUnknownSubmission } from './unknown-submission-watch.js';

export type { JobCounts } from '../jobstore/index.js';

/** The HA job store cannot tell whether a submission was recorded (the write failed, the read-back got no answer). */
class SubmissionOutcomeUnknownError extends RivuletError {
  constructor(message: string) {
    super('CLUSTER', message);
  }
}

export interface DispatcherDeps {
  readonly config: Configuration;
  readonly registry: TaskManagerRegistry;
  readonly gateway: TaskManagerGateway;
  readonly blobs: BlobStore;
  readonly metrics: JobManagerMetrics;
  readonly checkpointMetrics: CheckpointMetrics;
  readonly jobMetrics: JobMetrics;
  readonly storages: SnapshotStorages;
  readonly session: () => LeaderSession | undefined;
  readonly log: Logger;
}

/** What a leader with `high-availability.type: etcd` persists through (fenced by its election key). */
export interface LeaderHaStores {
  readonly client: EtcdClient;
  readonly fence: LeaderFence;
  readonly jobStore: EtcdJobStore;
}

/**
 * Accepts jobs, keeps one JobMaster per running job and an archive of ended
 * ones (the job store: jobstore.max-capacity, jobstore.expiration-time), and
 * answers questions about jobs.
 */
export class Dispatcher {
  private readonly directory: JobDirectory;

  constructor(private readonly deps: DispatcherDeps) {
    this.directory = new JobDirectory(new ArchivedJobStore({
      maxCapacity: deps.config['jobstore.max-capacity'],
      expirationMs: deps.config['jobstore.expiration-time'] * 1000,
    }));
    deps.registry.on('lost', (registration, reason, detail) => {
      for (const job of this.directory.liveMasters()) job.onTaskManagerLost(registration, reason, detail);
    });
    deps.registry.on('registered', (registration) => {
      // After a failover, recovered jobs adopt the tasks a TaskManager reports first; what none adopts is stale.
      void this.recovered.then(() => {
        for (const job of this.directory.liveMasters()) job.offer(registration);
        this.releaseStaleSlots(registration);
      });
    });
  }

  private ha: LeaderHaStores | undefined;
  /** Settles once the jobs of the HA job store are recovered (at once without HA). */
  private recovered: Promise<void> = Promise.resolve();

  /**
   * This JobManager was granted leadership. With HA stores, every job the
   * job store holds that has not ended is recovered: it adopts the tasks the
   * TaskManagers report, or restarts from its latest checkpoint.
   */
  startLeading(ha: LeaderHaStores | undefined): void {
    this.ha = ha;
    if (!ha) return;
    this.recovered = this.recoverJobs(ha).catch((err: unknown) => {
      this.deps.log.error({ err: errorMessage(err) }, 'could not recover the jobs of the HA job store');
    });
  }

  private async recoverJobs(ha: LeaderHaStores): Promise<void> {
    const stored = await ha.jobStore.list();
    for (const job of stored) {
      if (isTerminalJobStatus(job.status) && job.status !== 'SUSPENDED') continue;
      const existing = this.directory.master(job.jobId);
      if (existing && !isTerminalJobStatus(existing.status)) continue;
      const jobConfig = this.jobConfiguration(job.jobConfigJson);
      const pointer = await EtcdCompletedCheckpointStore.readLatestPointer(ha.client, this.deps.config, job.jobId);
      let recovery: (JobRestore & { readonly owned: boolean }) | undefined;
      if (pointer) {
        const checkpoint = await recoverLatestCheckpoint(pointer, this.deps.storages);
        const planned = failoverRestoreOf(checkpoint, job.jobGraph, this.deps.storages.checkpointRoot, (operatorId) =>
          job.jobGraph.operators.find((op) => op.id === operatorId)?.parallelism ?? job.jobGraph.defaultParallelism);
        recovery = planned && { ...planned, owned: checkpoint.owned };
      } else if (job.restore) {
        // No checkpoint of its own yet: the savepoint it was started from.
        recovery = { ...(await this.planRestore(job.restore.savepointPath, job.jobGraph, job.restore.allowNonRestoredState)), owned: false };
      }
      const master = this.createJobMaster(job.jobId, job.jobGraph, job.bundleSha256, jobConfig, undefined, ha);
      this.directory.add(master);
      this.deps.log.info({ jobId: job.jobId, name: job.name, checkpointId: recovery?.plan.checkpointId ?? null }, 'job recovered from the HA job store');
      await master.recover(recovery, Math.max(5000, this.deps.config['heartbeat.timeout']));
    }
    this.updateGauges();
  }

  /**
   * A TaskManager that registers afresh still holding allocations (it was
   * declared lost — frozen, partitioned — and came back): this JobManager
   * holds no allocation on a new registration, so those slots' tasks were
   * restarted elsewhere or belong to a job that ended. They are cancelled and
   * the slots freed, allocation by allocation, before they can write more.
   */
  private releaseStaleSlots(registration: TaskManagerRegistration): void {
    const session = this.deps.session();
    if (!session) return;
    const staleByJob = new Map<string, string[]>();
    for (const slot of registration.slots) {
      if (!slot.allocated || !slot.jobId || !slot.allocationId) continue;
      if (registration.allocations[slot.index]?.allocationId === slot.allocationId) continue;
      staleByJob.set(slot.jobId, [...(staleByJob.get(slot.jobId) ?? []), slot.allocationId]);
    }
    const address = `${registration.rpcEndpoint.host}:${registration.rpcEndpoint.port}`;
    for (const [jobId, allocationIds] of staleByJob) {
      this.deps.log.warn({ taskManager: registration.resourceId, jobId, allocationIds }, 'a registering TaskManager holds stale slots: releasing them');
      this.deps.gateway.releaseSlots(address, session, jobId, allocationIds).catch((err: unknown) => {
        this.deps.log.warn({ taskManager: registration.resourceId, jobId, err: errorMessage(err) }, 'could not release stale slots');
      });
    }
  }

  async submit(request: pb.SubmitJobRequest__Output): Promise<string> {
    const session = this.deps.session();
    if (!session) throw new RivuletError('ILLEGAL_STATE', 'this JobManager is not the leader');
    const graph = parseJobGraph(request.jobGraph);
    if (request.bundle.length === 0) throw new RivuletError('USAGE', 'the submitted job has an empty bundle');
    const jobConfig = this.jobConfiguration(request.jobConfigJson);
    const checkpointConfiguration = resolveCheckpointConfiguration(jobConfig);
    const restore = request.savepointPath
      ? await this.planRestore(request.savepointPath, graph, request.allowNonRestoredState)
      : undefined;
    const jobId = newJobId();
    const bundleSha256 = await this.deps.blobs.put(jobId, request.bundle);
    const ha = this.ha;
    const start = (): string => {
      const master = this.createJobMaster(jobId, graph, bundleSha256, jobConfig, restore, ha);
      this.directory.add(master);
      this.deps.log.info({ jobId, name: graph.name, operators: graph.operators.length }, 'job submitted');
      master.start();
      this.updateGauges();
      return jobId;
    };
    if (ha) {
      // Recorded before it runs: a job either is in the HA job store (and runs once, here or on the next leader) or is refused.
      await this.recordSubmission(ha, {
          jobId,
          name: graph.name,
          jobGraph: graph,
          bundleSha256,
          jobConfigJson: request.jobConfigJson,
          ...(request.savepointPath ? { restore: { savepointPath: request.savepointPath, allowNonRestoredState: request.allowNonRestoredState } } : {}),
          submittedAt: Date.now(),
          status: 'CREATED',
      }).catch((err: unknown) => {
        if (err instanceof SubmissionOutcomeUnknownError) {
          // etcd may still apply the write: then the job is the cluster's, and runs here once the store tells.
          void settleUnknownSubmission({
            jobId,
            isRecorded: async () => (await ha.jobStore.get(jobId)) !== undefined,
            stillLeading: () => this.deps.session() === session && this.ha === ha,
            run: () => {
              if (!this.directory.master(jobId)) start();
            },
            log: this.deps.log,
          });
        }
        throw err;
      });
      if (this.deps.session() !== session) {
        // Recorded, but this JobManager lost leadership meanwhile: the job is accepted, and the next leader recovers and runs it.
        this.deps.log.warn({ jobId, name: graph.name }, 'job recorded in the HA job store as leadership was lost: the next leader runs it');
        return jobId;
      }
    }
    return start();
  }

  /**
   * Stores a submission in the HA job store, or says for sure that it is not
   * there. A write that failed may still have been applied (etcd answered
   * too late), so the record is read back: present, the job is accepted;
   * absent, it is refused ("submit it again"); unreadable, the outcome is
   * unknown and the error says to look before submitting again — a job a
   * client was told to resubmit never runs twice.
   */
  private async recordSubmission(ha: LeaderHaStores, job: StoredJob): Promise<void> {
    try {
      await ha.jobStore.put(job);
      return;
    } catch (err) {
      if (err instanceof RivuletError && err.code === 'JOB') throw err; // the submission itself cannot be stored
      const recorded = await ha.jobStore.get(job.jobId).then((stored) => stored !== undefined, () => undefined);
      if (recorded === true) {
        this.deps.log.warn({ jobId: job.jobId, err: errorMessage(err) }, 'the HA job store write failed but the job is recorded: accepted');
        return;
      }
      if (recorded === false) {
        throw new RivuletError('CLUSTER', `job not accepted: it could not be recorded in the HA job store (${errorMessage(err)}); submit it again`);
      }
      throw new SubmissionOutcomeUnknownError(
        `job ${job.jobId} may or may not be recorded in the HA job store: the write failed (${errorMessage(err)}) and etcd did not answer the read-back; ` +
          `if it was recorded it runs: look for it with "rivulet list" before submitting it again`,
      );
    }
  }

  private createJobMaster(
    jobId: string,
    graph: JobGraph,
    bundleSha256: string,
    jobConfig: Configuration,
    restore: JobRestore | undefined,
    ha: LeaderHaStores | undefined,
  ): JobMaster {
    const checkpointConfiguration = resolveCheckpointConfiguration(jobConfig);
    const haCheckpointing = ha
      ? {
          counter: new EtcdCheckpointIdCounter({ client: ha.client, settings: this.deps.config, fence: ha.fence, jobId }),
          store: new EtcdCompletedCheckpointStore({ client: ha.client, settings: this.deps.config, fence: ha.fence, jobId, numRetained: checkpointConfiguration.numRetained }),
        }
      : {};
    return new JobMaster({
      jobId,
      graph,
      bundleSha256,
      loadBundle: () => this.deps.blobs.get(jobId, bundleSha256),
      slotRequestTimeoutMs: jobConfig['slot.request.timeout'],
      spreadSlots: this.deps.config['cluster.evenly-spread-out-slots'],
      registry: this.deps.registry,
      gateway: this.deps.gateway,
      session: this.deps.session,
      log: this.deps.log,
      onTerminal: (master) => this.onJobEnded(master, ha),
      onReleased: (master) => this.directory.release(master),
      checkpointing: { configuration: checkpointConfiguration, storages: this.deps.storages, metrics: this.deps.checkpointMetrics, ...haCheckpointing },
      failover: {
        strategy: jobConfig['jobmanager.execution.failover-strategy'],
        restartStrategy: createRestartStrategy(jobConfig, checkpointConfiguration.intervalMs !== null),
        metrics: this.deps.jobMetrics,
        schedulerMode: this.deps.config['scheduler-mode'],
      },
      ...(restore ? { restore } : {}),
    });
  }

  /**
   * A job ended (or was suspended): with HA, an ended job's records leave
   * etcd (resolves once they did; rejects when they could not, and the job's
   * checkpoints are then kept); a suspended one's stay for the next leader.
   */
  private async onJobEnded(master: JobMaster, ha: LeaderHaStores | undefined): Promise<void> {
    this.directory.end(master);
    this.updateGauges();
    if (!ha || master.status === 'SUSPENDED') return;
    try {
      await ha.jobStore.remove(master.jobId);
    } catch (err) {
      this.deps.log.warn({ jobId: master.jobId, err: errorMessage(err) }, 'could not remove the ended job from the HA job store');
      throw err;
    }
  }

  /** Job-scoped keys override the cluster's configuration; other keys are refused. */
  private jobConfiguration(json: string): Configuration {
    const overrides = json ? (JSON.parse(json) as Record<string, string>) : {};
    for (const key of Object.keys(overrides)) {
      if (!(JOB_SCOPED_KEYS as readonly string[]).includes(key)) {
        throw new RivuletError('USAGE', `"${key}" cannot be set per job (job settings: ${JOB_SCOPED_KEYS.join(', ')})`);
      }
    }
    const cluster = Object.fromEntries(JOB_SCOPED_KEYS.map((key) => [key, this.deps.config[key]]));
    return loadConfiguration({ flags: { ...cluster, ...overrides } });
  }

  /**
   * Reads a snapshot's `_metadata` (a savepoint folder, or a retained
   * checkpoint's `chk-<n>` folder) and plans which state every new subtask
   * restores. Errors name the path: a folder without metadata, corrupted
   * metadata, state of an operator the job does not have.
   */
  private async planRestore(path: string, graph: JobGraph, allowNonRestoredState: boolean) {
    let storage;
    try {
      storage = this.deps.storages.savepoints(path);
    } catch (err) {
      throw new RivuletError('JOB', `cannot restore from ${path}: ${errorMessage(err)}`);
    }
    try {
      const metadata = await readCheckpointMetadata(storage, '', path);
      const operators = graph.operators.map((op) => ({ operatorId: op.id, parallelism: op.parallelism ?? graph.defaultParallelism, keyed: op.keyed }));
      const plan = planRestore(metadata, { operators, maxParallelism: graph.maxParallelism, allowNonRestoredState });
      this.deps.log.info({ path, checkpointId: plan.checkpointId, movedKeyGroups: plan.movedKeyGroups, skipped: plan.skippedOperators }, 'restore planned');
      return { plan, metadata, location: { root: path, folder: '' }, uri: path };
    } catch (err) {
      throw new RivuletError('JOB', `cannot restore from ${path}: ${errorMessage(err)}`);
    }
  }

  acknowledgeCheckpoint(request: pb.AcknowledgeCheckpointRequest__Output): void {
    this.directory.master(request.jobId)?.checkpointing.coordinator.acknowledgeCheckpoint(request.executionAttemptId, request.checkpointId, request.stateHandles, request.endOfData, {
      alignmentDurationMs: Math.max(0, request.alignmentDurationMs),
      startDelayMs: Math.max(0, request.startDelayMs),
      persistedDataBytes: Math.max(0, request.persistedDataBytes),
    });
  }

  /** A source reader's event for its enumerator (SendOperatorEvent); dropped for a job that does not run here. */
  operatorEvent(request: pb.OperatorEventToCoordinator__Output): void {
    this.directory.master(request.jobId)?.sources?.readerEvent(request.registrationId, request.executionAttemptId, request.operatorId, request.event);
  }

  declineCheckpoint(request: pb.DeclineCheckpointRequest__Output): void {
    this.directory.master(request.jobId)?.checkpointing.coordinator.declineCheckpoint(request.executionAttemptId, request.checkpointId, request.reason, request.taskClosing);
  }

  /** Triggers a savepoint into `dir` (or execution.checkpointing.savepoint-dir); `stop`: the job finishes after it. */
  async savepoint(jobId: string, dir: string, stop: boolean): Promise<string> {
    const job = this.directory.master(jobId);
    if (job?.status !== 'RUNNING') throw new RivuletError('ILLEGAL_STATE', `job ${jobId} is ${this.view(jobId).status}, not RUNNING`);
    const target = dir || this.deps.config['execution.checkpointing.savepoint-dir'];
    if (!target) throw new RivuletError('USAGE', 'no savepoint directory: name one, or set execution.checkpointing.savepoint-dir');
    try {
      return await job.checkpointing.coordinator.triggerSavepoint(target, { terminate: stop });
    } catch (err) {
      throw new RivuletError('JOB', `savepoint of job ${jobId} failed: ${errorMessage(err)}`);
    }
  }

  /** Leadership lost: every job stops being acted on here (its tasks keep running for the next leader). */
  suspendAll(reason: string): void {
    for (const job of this.directory.liveMasters()) job.suspend(reason);
  }

  /** A job, running or archived, as the read endpoints show it; NOT_FOUND says whether it left the job store. */
  view(jobId: string): JobView {
    return this.directory.view(jobId);
  }

  /** Every job: the archived ended ones (oldest first), then the live ones. */
  list(): JobView[] {
    return this.directory.list();
  }

  /** The JobMaster of `jobId` while the job runs here (not ended, or suspended); for the dashboard's live views. */
  liveJob(jobId: string): JobMaster | undefined {
    return this.directory.master(jobId);
  }

  /** Every JobMaster of this JobManager. */
  liveJobs(): JobMaster[] {
    return this.directory.liveMasters();
  }

  cancel(jobId: string): void {
    const job = this.directory.master(jobId);
    if (!job || isTerminalJobStatus(job.status)) {
      throw new RivuletError('ILLEGAL_STATE', `job ${jobId} is already ${job?.status ?? this.view(jobId).status}`);
    }
    job.cancel();
  }

  onTaskUpdate(update: pb.TaskExecutionStateUpdate__Output): void {
    this.directory.master(update.jobId)?.onTaskUpdate(update);
    this.updateGauges();
  }

  async bundle(jobId: string): Promise<{ bundle: Buffer; sha256: string }> {
    const job = this.directory.master(jobId);
    if (!job) throw new RivuletError('ILLEGAL_STATE', `job ${jobId} has ended (${this.view(jobId).status}): its bundle is no longer served`);
    return { bundle: await this.deps.blobs.get(jobId, job.options.bundleSha256), sha256: job.options.bundleSha256 };
  }

  /** Running jobs, and every job that ended here (also those the job store no longer holds). */
  counts(): JobCounts {
    return this.directory.counts();
  }

  /** The JobManager stops: the job store's expiry timer with it. */
  close(): void {
    this.directory.archive.close();
  }

  private updateGauges(): void {
    this.deps.metrics.runningJobs.set(this.counts().running);
  }
}
