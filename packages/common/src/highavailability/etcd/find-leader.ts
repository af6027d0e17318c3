import { RivuletError, UnreachableError, errorMessage } from '../../errors.js';
import { sleep } from '../../time/abortable.js';
import { createEtcdClient, describeEtcd, etcdElectionPrefix, type EtcdSettings } from './etcd-client.js';
import { decodeLeaderRecord, readElectedLeader, type ElectedLeader, type LeaderRecord } from './leader-record.js';
import { withEtcdDeadline } from './etcd-client.js';

/** Pause between two reads while `findLeader` waits for a leader. */
const FIND_LEADER_RETRY_MS = 200;

/**
 * One-shot lookup of the leader for the CLI: reads the election until a
 * leader that published its session is found or `timeoutMs` has passed (so a
 * lookup during a failover waits for the new leader instead of failing).
 *
 * Rejects with `UnreachableError` when etcd did not answer, or with a
 * `RivuletError` (code CLUSTER) when etcd answered but nobody leads; both
 * messages name the endpoints and the cluster id.
 */
export async function findLeader(settings: EtcdSettings, timeoutMs: number): Promise<ElectedLeader> {
  const client = createEtcdClient(settings);
  const prefix = etcdElectionPrefix(settings);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    for (;;) {
      try {
        const leader = await readElectedLeader(client, prefix, { timeoutMs: Math.max(1, deadline - Date.now()) });
        if (leader !== undefined) return leader;
        lastError = undefined;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() + FIND_LEADER_RETRY_MS >= deadline) break;
      await sleep(FIND_LEADER_RETRY_MS);
    }
  } finally {
    client.close();
  }
  if (lastError !== undefined) {
    throw new UnreachableError(
      describeEtcd(settings),
      `cannot find the JobManager leader: ${describeEtcd(settings)} did not answer within ${timeoutMs} ms (${errorMessage(lastError)})`,
      { cause: lastError },
    );
  }
  throw new RivuletError(
    'CLUSTER',
    `no JobManager leads: nobody was elected in ${prefix} of ${describeEtcd(settings)} within ${timeoutMs} ms`,
  );
}

/**
 * Every JobManager taking part in the election — the leader and the
 * standbys — as each published itself (address; the leader also its
 * session), in election order (the leader first). For `rivulet cluster`.
 */
export async function listJobManagers(settings: EtcdSettings, timeoutMs: number): Promise<LeaderRecord[]> {
  const client = createEtcdClient(settings);
  try {
    const prefix = etcdElectionPrefix(settings);
    const keys = await withEtcdDeadline(client.getAll().prefix(prefix).sort('Create', 'Ascend').strings(), `list ${prefix}`, { timeoutMs });
    return Object.values(keys).map(decodeLeaderRecord).filter((r): r is LeaderRecord => r !== undefined);
  } catch (err) {
    throw new UnreachableError(describeEtcd(settings), `cannot list the JobManagers: ${describeEtcd(settings)}: ${errorMessage(err)}`, { cause: err });
  } finally {
    client.close();
  }
}
