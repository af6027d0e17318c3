import { decodeLeaderRecord, etcdElectionPrefix, withEtcdDeadline, type EtcdSettings } from '@rivulet/common';
import type { EtcdClient } from '../highavailability/index.js';
import type { ElectionEntry } from './jobmanagers.js';

/** An answer is reused for this long: dashboards ask every few seconds, etcd is not asked more often. */
const CACHE_MS = 2000;

/**
 * The JobManagers campaigning in the etcd election, in election order: the
 * first key leads once it published its session. Read with the
 * JobManager's own etcd client, at most once per CACHE_MS.
 */
export function electionCandidates(client: EtcdClient, settings: EtcdSettings): () => Promise<readonly ElectionEntry[]> {
  const prefix = etcdElectionPrefix(settings);
  let cached: { at: number; entries: Promise<readonly ElectionEntry[]> } | undefined;
  return () => {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.entries;
    const entries = withEtcdDeadline(client.getAll().prefix(prefix).sort('Create', 'Ascend').strings(), `list ${prefix}`, { timeoutMs: 2000 }).then((keys) =>
      Object.values(keys).flatMap((value, i): ElectionEntry[] => {
        const record = decodeLeaderRecord(value);
        if (!record) return [];
        return [{ rpcAddress: record.rpcAddress, ...(record.restAddress !== undefined ? { restAddress: record.restAddress } : {}), leader: i === 0 && record.sessionId !== undefined }];
      }),
    );
    cached = { at: Date.now(), entries };
    entries.catch(() => {
      cached = undefined;
    });
    return entries;
  };
}
