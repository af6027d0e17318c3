import { hostname } from 'node:os';
import { errorMessage, type Logger, type TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { FromSlot, ToSlot } from '../protocol/slot-messages.js';
import type { CheckpointPersister } from './checkpointing/checkpoint-persister.js';
import type { StorageProvider } from './checkpointing/storage-provider.js';
import type { SlotNetwork } from './exchange/slot-network.js';
import type { JobLoader } from './task/job-loader.js';
import { StreamTask } from './task/stream-task.js';

export interface SlotRuntimeDeps {
  readonly network: SlotNetwork;
  readonly loader: JobLoader;
  readonly persister: CheckpointPersister;
  readonly storage: StorageProvider;
  readonly post: (message: FromSlot, transfer?: ArrayBuffer[]) => void;
  /** Marks which task the thread is running (read by the control thread after an out-of-memory end). */
  readonly markRunning: (taskNumber: number) => void;
  readonly log: Logger;
}

/**
 * The tasks of one slot, inside the slot's thread: runs what the control
 * thread deploys, and carries its control messages (cancel, checkpoint
 * triggers and completions) to the tasks between their batches — the
 * thread's event loop is the task mailbox.
 */
export class SlotRuntime {
  private readonly tasks = new Map<string, { readonly task: StreamTask; readonly number: number }>();

  constructor(private readonly deps: SlotRuntimeDeps) {}

  handle(message: ToSlot): void {
    switch (message.kind) {
      case 'deploy':
        this.deploy(message.descriptor, message.bundlePath, message.taskNumber);
        break;
      case 'cancel':
        this.tasks.get(message.attemptId)?.task.cancel();
        break;
      case 'trigger-checkpoint': {
        const task = this.tasks.get(message.attemptId)?.task;
        if (!task) break;
        try {
          if (message.trigger) task.triggerCheckpoint(message.barrier, message.location, message.terminate);
          else if (message.location) task.announceLocation(message.barrier.checkpointId, message.location);
        } catch (err) {
          this.deps.log.warn({ err: errorMessage(err) }, 'checkpoint trigger refused');
        }
        break;
      }
      case 'checkpoint-complete': {
        const task = this.tasks.get(message.attemptId)?.task;
        task?.notifyCheckpointComplete(message.checkpointId, message.final).catch((err: unknown) => {
          this.deps.log.error({ checkpointId: message.checkpointId, err: errorMessage(err) }, 'committing a completed checkpoint failed');
          task.fail(err);
        });
        break;
      }
      case 'checkpoint-aborted':
        this.tasks.get(message.attemptId)?.task.notifyCheckpointAborted(message.checkpointId);
        break;
      case 'operator-event': {
        const task = this.tasks.get(message.attemptId)?.task;
        if (task) task.handleOperatorEvent(message.operatorId, message.event);
        else this.deps.log.warn({ attemptId: message.attemptId }, 'operator event for a task that ended: dropped');
        break;
      }
      case 'operator-event-undeliverable':
        this.tasks.get(message.attemptId)?.task.fail(new Error(message.reason));
        break;
      case 'reply':
        break; // answered by the local-state proxy
    }
  }

  /** Busy / idle / back-pressured time of every task since the last sample. */
  sampleTimes(): FromSlot {
    return {
      kind: 'task-metrics',
      tasks: [...this.tasks].map(([attemptId, { task }]) => ({
        attemptId,
        ...task.time.sample(),
        inputWatermark: task.currentInputWatermark,
        outputWatermark: task.currentOutputWatermark,
        recordsIn: task.io.recordsIn,
        recordsOut: task.io.recordsOut,
        bytesIn: task.bytesIn,
        bytesOut: task.bytesOut,
      })),
    };
  }

  private deploy(descriptor: TaskDeploymentDescriptor, bundlePath: string, number: number): void {
    const { deps } = this;
    const attemptId = descriptor.executionAttemptId;
    const task = new StreamTask(
      descriptor,
      deps.network,
      (d) => deps.loader.load(d, bundlePath),
      deps.persister,
      deps.storage,
      descriptor.checkpointingMode,
      deps.log.child({ jobId: descriptor.jobId, task: descriptor.vertexId, subtask: descriptor.subtaskIndex }),
      () => deps.markRunning(number),
      {
        location: hostname(),
        send: (operatorId, event) => deps.post({ kind: 'operator-event', attemptId, operatorId, event }, [event.buffer as ArrayBuffer]),
      },
    );
    this.tasks.set(attemptId, { task, number });
    deps.markRunning(number);
    void task.run((report) => deps.post({ kind: 'task-report', attemptId, report })).finally(() => {
      this.tasks.delete(attemptId);
      // The thread may be ended right after its last task: its network figures leave first, complete.
      deps.post({ kind: 'network-stats', stats: deps.network.stats() });
      deps.post({ kind: 'task-ended', attemptId });
    });
  }
}
