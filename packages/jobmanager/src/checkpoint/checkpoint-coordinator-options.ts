/**
 * What a CheckpointCoordinator is given (its dependencies and callbacks) and
 * what it answers about acknowledgements and declines.
 */
import type { Logger } from '@rivulet/common';
import type { CheckpointCoordinatorConfiguration } from './checkpoint-configuration.js';
import type { CheckpointIdCounter } from './checkpoint-id-counter.js';
import type { CheckpointPlanOutcome } from './checkpoint-plan.js';
import type { SnapshotStorages } from './checkpoint-storage-access.js';
import type { CheckpointTimers } from './checkpoint-timers.js';
import type { CheckpointTrigger } from './checkpoint-types.js';
import type { CompletedCheckpointStore } from './completed-checkpoint-store.js';

export interface CheckpointCoordinatorOptions {
  readonly jobId: string;
  readonly configuration: CheckpointCoordinatorConfiguration;
  readonly counter: CheckpointIdCounter;
  readonly store: CompletedCheckpointStore;
  readonly storages: SnapshotStorages;
  /** Asked at every trigger: which operators and running attempts the checkpoint covers. */
  readonly planCheckpoint: () => CheckpointPlanOutcome;
  /** Sends TriggerCheckpoint to the sources; a rejection aborts the checkpoint. */
  readonly triggerSources: (trigger: CheckpointTrigger) => Promise<void> | void;
  /**
   * Sends NotifyCheckpointComplete to the tasks; failures are logged only.
   * `final`: every task acknowledged it with its data ended (the job's final
   * checkpoint): the tasks finish once they committed it.
   */
  readonly notifyComplete: (checkpointId: number, final: boolean) => Promise<void> | void;
  /** Sends NotifyCheckpointAborted to the tasks; failures are logged only. */
  readonly notifyAborted: (checkpointId: number) => Promise<void> | void;
  /** Fails the job: consecutive counted failures exceeded tolerable-failed-checkpoints. */
  readonly failJob: (reason: string) => void;
  readonly log: Logger;
  readonly timers?: CheckpointTimers;
  /** Suffix of savepoint folder names. @default 12 random hex characters */
  readonly randomSuffix?: () => string;
  /** Delay of the first periodic trigger after startCheckpointScheduler. @default the interval */
  readonly initialDelayMs?: number;
}

/** What happened to an acknowledgement (for logs and tests; the RPC answers Ack either way). */
export type AcknowledgeOutcome = 'accepted' | 'duplicate' | 'invalid' | 'unknown-task' | 'unknown-checkpoint' | 'late';

export type DeclineOutcome = 'aborted' | 'unknown-task' | 'unknown-checkpoint';
