import type { JobGraph } from '@rivulet/api';
import type { LeaderSession, Logger } from '@rivulet/common';
import type { CheckpointCoordinatorConfiguration, CheckpointIdCounter, CheckpointMetrics, CompletedCheckpointStore, SnapshotStorages } from '../checkpoint/index.js';
import type { RestartStrategy } from '../failover/restart-strategy.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import type { JobRestore } from './failover-restore.js';
import type { JobMaster } from './job-master.js';
import type { JobMetrics } from './job-metrics.js';

/** What a JobMaster is built from: the job, the cluster it runs on, and the job's checkpointing and failover settings. */
export interface JobMasterOptions {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly bundleSha256: string;
  /** The job's bundle, for its source coordinator thread (fromSource operators' enumerators, fromElements' values). */
  readonly loadBundle?: () => Promise<Uint8Array>;
  readonly slotRequestTimeoutMs: number;
  readonly spreadSlots: boolean;
  readonly registry: TaskManagerRegistry;
  readonly gateway: TaskManagerGateway;
  readonly session: () => LeaderSession | undefined;
  readonly log: Logger;
  /**
   * The job ended or was suspended. For an ended job it may return the
   * removal of the job's HA records: the job's checkpoints are deleted only
   * after that settled successfully (a new leader could otherwise find the
   * job and a pointer to deleted files); when it fails they are kept.
   */
  readonly onTerminal: (master: JobMaster) => Promise<void> | void;
  /**
   * The job ended (FINISHED, CANCELED, FAILED) and its checkpointing shut
   * down: nothing of it runs any more, so its owner may archive it and drop
   * this JobMaster. Not called for a suspended job.
   */
  readonly onReleased?: (master: JobMaster) => void;
  readonly checkpointing: {
    readonly configuration: CheckpointCoordinatorConfiguration;
    readonly storages: SnapshotStorages;
    readonly metrics: CheckpointMetrics;
    /** HA: the job's checkpoint id counter and completed-checkpoint store in etcd (default: in memory). */
    readonly counter?: CheckpointIdCounter;
    readonly store?: CompletedCheckpointStore;
  };
  /** Start from this snapshot (rivulet run --from-savepoint). */
  readonly restore?: JobRestore;
  readonly failover: {
    /** jobmanager.execution.failover-strategy */
    readonly strategy: 'full' | 'region';
    readonly restartStrategy: RestartStrategy;
    readonly metrics: JobMetrics;
    /** scheduler-mode: reactive runs at the parallelism the slots allow and scales up as TaskManagers join. */
    readonly schedulerMode: 'default' | 'reactive';
  };
  readonly now?: () => number;
}
