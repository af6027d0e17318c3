import type { EtcdSettings } from './etcd-client.js';
import type { ElectedLeader, LeaderRecord } from './leader-record.js';

/**
 * `findLeader` and `listJobManagers` for the CLI: the etcd client (etcd3,
 * with its own gRPC stack and protocol files) is loaded on the first call, so
 * a command against a cluster without etcd HA never loads it.
 */
export async function findLeader(settings: EtcdSettings, timeoutMs: number): Promise<ElectedLeader> {
  return (await import('./find-leader.js')).findLeader(settings, timeoutMs);
}

export async function listJobManagers(settings: EtcdSettings, timeoutMs: number): Promise<LeaderRecord[]> {
  return (await import('./find-leader.js')).listJobManagers(settings, timeoutMs);
}
