/**
 * Entry point of a slot's thread (a worker_thread started by the
 * TaskManager's control thread, one per allocated slot). Everything user
 * code touches lives here: the job's bundle, its operators and state, the
 * checkpoint uploads. It talks to the control thread only through
 * protocol/slot-messages.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, errorMessage, type Configuration, type TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { FromSlot, SlotThreadData, ToSlot } from '../protocol/slot-messages.js';
import { MessageCoalescer } from '../protocol/message-coalescer.js';
import { CheckpointPersister } from './checkpointing/checkpoint-persister.js';
import { StorageProvider } from './checkpointing/storage-provider.js';
import { SlotNetwork } from './exchange/slot-network.js';
import { LocalStateProxy } from './local-state-proxy.js';
import { SlotRuntime } from './slot-runtime.js';
import { JobLoader } from './task/job-loader.js';

/** How often busy / idle / back-pressured time goes to the control thread. */
const METRICS_INTERVAL_MS = 1000;

const port = parentPort;
if (!port) throw new Error('slot-thread.js runs only as a worker thread of a TaskManager');
const data = workerData as SlotThreadData;
const config = data.config as unknown as Configuration;
process.setSourceMapsEnabled(true);
const log = createLogger({ component: 'taskmanager', level: config['log.level'] }).child({ slot: data.slotIndex, resourceId: data.resourceId });
const running = new Int32Array(data.runningTask);

const outbox = new MessageCoalescer<FromSlot>((messages, transfer) => port.postMessage(messages, transfer));
/** Metrics wait for the end of the turn (or the next message); everything else leaves at once. */
const post = (message: FromSlot, transfer?: ArrayBuffer[]): void => {
  if (message.kind === 'task-metrics' || message.kind === 'network-stats') outbox.defer(message, transfer);
  else outbox.now(message, transfer);
};
const storage = new StorageProvider(config, log);
const local = config['state.backend.local-recovery'] ? new LocalStateProxy(post) : undefined;
storage.useLocalState(local);
const persister = new CheckpointPersister(
  (root) => (root === null ? storage.checkpoints() : storage.forRoot(root)),
  {
    acknowledge: async (d: TaskDeploymentDescriptor, checkpointId, stateHandles, endOfData, metrics) => {
      const owned = new Uint8Array(stateHandles);
      post({ kind: 'checkpoint-ack', attemptId: d.executionAttemptId, checkpointId, stateHandles: owned, endOfData, metrics }, [owned.buffer]);
    },
    decline: async (d: TaskDeploymentDescriptor, checkpointId, reason, taskClosing) => {
      post({ kind: 'checkpoint-decline', attemptId: d.executionAttemptId, checkpointId, reason, taskClosing });
    },
  },
  log,
  local,
);
const network = new SlotNetwork(data.network, post, data.resourceId, log);
const runtime = new SlotRuntime({
  network,
  loader: new JobLoader(),
  persister,
  storage,
  post,
  markRunning: (taskNumber) => Atomics.store(running, 0, taskNumber),
  log,
});

port.on('message', (messages: ToSlot[]) => {
  for (const message of messages) {
    try {
      if (message.kind === 'reply') local?.answer(message.requestId, message.result);
      else runtime.handle(message);
    } catch (err) {
      log.error({ kind: message.kind, err: errorMessage(err) }, 'slot message failed');
    }
  }
});
setInterval(() => {
  post(runtime.sampleTimes());
  post({ kind: 'network-stats', stats: network.stats() });
}, METRICS_INTERVAL_MS).unref();
post({ kind: 'ready' });
