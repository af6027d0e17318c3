export {
  createEtcdClient,
  withEtcdDeadline,
  etcdClusterPrefix,
  etcdElectionPrefix,
  etcdLeaseTtlSeconds,
  leaderStepDownAfterMs,
  EtcdTimeoutError,
  ETCD_CALL_DEADLINE_MS,
  ETCD_OPERATION_TIMEOUT_MS,
  ETCD_BREAKER_CONSECUTIVE_FAILURES,
  ETCD_BREAKER_HALF_OPEN_MS,
  ETCD_WATCH_BACKOFF_MS,
  ETCD_RECONNECT_BACKOFF_MS,
  ETCD_MIN_LEASE_TTL_SECONDS,
  type EtcdSettings,
} from './etcd-client.js';
export { EtcdLeaderElectionService, type EtcdLeaderElectionOptions, type LeadershipLoss } from './etcd-leader-election-service.js';
export { EtcdLeaderRetrievalService, type EtcdLeaderRetrievalOptions } from './etcd-leader-retrieval-service.js';
export { findLeader, listJobManagers } from './find-leader.js';
export { decodeLeaderRecord, readElectedLeader, type ElectedLeader, type LeaderRecord } from './leader-record.js';
