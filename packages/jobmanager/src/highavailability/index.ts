export { CorruptedHaRecordError, EtcdValueTooLargeError } from './errors.js';
export {
  MAX_ETCD_VALUE_BYTES,
  checkpointCounterKey,
  checkpointsPrefix,
  jobKey,
  jobsPrefix,
  latestCheckpointKey,
  type HaKeySettings,
} from './ha-keys.js';
export { CAS_MAX_ATTEMPTS, type EtcdClient, type EtcdStoreOptions, type LeaderFence } from './leader-fence.js';
export { EtcdCheckpointIdCounter, type EtcdCheckpointIdCounterOptions } from './etcd-checkpoint-id-counter.js';
export {
  EtcdCompletedCheckpointStore,
  recoverLatestCheckpoint,
  type EtcdCompletedCheckpointStoreOptions,
  type LatestCheckpointPointer,
} from './etcd-completed-checkpoint-store.js';
export { EtcdJobStore, type StoredJob } from './etcd-job-store.js';
