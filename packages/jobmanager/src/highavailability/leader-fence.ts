/**
 * Fenced writes: every write only the current leader may make is one etcd
 * transaction that also requires the leader's election key to exist with the
 * create revision it had when leadership was granted (the leader's epoch).
 * A JobManager whose lease expired or was revoked, or which lost its key and
 * campaigned again, can therefore write nothing: etcd refuses, and the write
 * rejects with `FencingError`.
 */
import { FencingError, withEtcdDeadline, type createEtcdClient } from '@rivulet/common';
import type { HaKeySettings } from './ha-keys.js';

/** The etcd client (`createEtcdClient`). */
export type EtcdClient = ReturnType<typeof createEtcdClient>;

/** The leader's election key and its create revision (its epoch); writes are refused once it is gone or changed. */
export interface LeaderFence {
  readonly key: string;
  readonly createRevision: string | number;
}

type TxnBuilder = ReturnType<EtcdClient['if']>;
/** A put, delete or range of the etcd client, as a transaction operation. */
export type TxnOperation = Parameters<TxnBuilder['then']>[number];
/** One condition of a transaction: key, target ('Mod', 'Create', 'Version', ...), comparator, value. */
export type TxnCompare = Parameters<TxnBuilder['and']>;
/** What a transaction answered: `responses` of the branch etcd took. */
export type TxnResponse = Awaited<ReturnType<TxnBuilder['commit']>>;
export type RangeResponse = TxnResponse['responses'][number]['response_range'];
export type KeyValue = RangeResponse['kvs'][number];

/** What every HA store is built with. */
export interface EtcdStoreOptions {
  /** The etcd client; the store never closes it. */
  readonly client: EtcdClient;
  /** `high-availability.cluster-id` names the prefix; the JobManager's configuration fits. */
  readonly settings: HaKeySettings;
  /** The leadership this store writes for; build new stores for a new leadership. */
  readonly fence: LeaderFence;
  /** Bound on each etcd operation, etcd3's retries included. @default ETCD_OPERATION_TIMEOUT_MS (3000 ms) */
  readonly timeoutMs?: number;
}

export interface FencedTransaction {
  /** Conditions besides the fence; the writes happen only when all hold. */
  readonly compares?: readonly TxnCompare[];
  /** The writes. */
  readonly writes: readonly TxnOperation[];
  /** Reads answered when a condition (not the fence) failed, in `responses`. */
  readonly readsOnConflict?: readonly TxnOperation[];
}

export type FencedOutcome =
  /** `revision`: etcd's revision after the writes (the mod revision of every key they put). */
  | { readonly succeeded: true; readonly responses: TxnResponse['responses']; readonly revision: string }
  /** A condition other than the fence failed; `responses` answer `readsOnConflict`. */
  | { readonly succeeded: false; readonly responses: TxnResponse['responses'] };

/**
 * Commits `txn` fenced by `fence`, bounded by `withEtcdDeadline`. Rejects with
 * `FencingError` when the fence failed (whatever else failed too), with the
 * etcd error or `EtcdTimeoutError` when etcd did not answer in time (the
 * writes may or may not have been applied then).
 */
export async function commitFenced(
  client: EtcdClient,
  fence: LeaderFence,
  txn: FencedTransaction,
  operation: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<FencedOutcome> {
  const epoch = String(fence.createRevision);
  let builder = client.if(fence.key, 'Create', '==', epoch);
  for (const compare of txn.compares ?? []) builder = builder.and(...compare);
  builder = builder.then(...txn.writes).else(client.get(fence.key), ...(txn.readsOnConflict ?? []));
  const response = await withEtcdDeadline(builder.commit(), operation, { timeoutMs: options.timeoutMs });
  if (response.succeeded) return { succeeded: true, responses: response.responses, revision: response.header.revision };
  const [fenceRead, ...reads] = response.responses;
  const leaderKey = fenceRead?.response_range.kvs[0];
  if (leaderKey === undefined || leaderKey.create_revision !== epoch) {
    const now = leaderKey === undefined ? 'is gone' : `was re-created (epoch ${leaderKey.create_revision})`;
    throw new FencingError(
      `this JobManager no longer leads: its election key ${fence.key} of epoch ${epoch} ${now}; refused: ${operation}`,
    );
  }
  return { succeeded: false, responses: reads };
}

/** The key-value a range in `responses[index]` found, if any. */
export function rangeResult(responses: TxnResponse['responses'], index: number): KeyValue | undefined {
  return responses[index]?.response_range.kvs[0];
}

/** Attempts of one compare-and-swap before giving up on contention. */
export const CAS_MAX_ATTEMPTS = 20;
