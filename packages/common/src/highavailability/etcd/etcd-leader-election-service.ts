import { performance } from 'node:perf_hooks';
import { EtcdLeaseInvalidError, type Etcd3, type Lease } from 'etcd3';
import { IllegalStateError, errorMessage } from '../../errors.js';
import { newLeaderSessionId, type LeaderSession } from '../../ids.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import { Backoff, sleep } from '../../time/abortable.js';
import type { LeaderAddress, LeaderContender, LeaderElectionService } from '../leader.js';
import {
  withEtcdDeadline,
  createEtcdClient,
  describeEtcd,
  etcdElectionPrefix,
  etcdLeaseTtlSeconds,
  leaderStepDownAfterMs,
  type EtcdSettings,
} from './etcd-client.js';
import { encodeLeaderRecord, type LeaderRecord } from './leader-record.js';
import { LeaseKeeper } from './lease-keeper.js';

/**
 * `high-availability.type: etcd`: JobManagers campaign in the etcd election
 * `/rivulet/<cluster-id>/leader/`, each with a key on its own lease of
 * `high-availability.etcd.lease-ttl`; the key created first leads.
 *
 * Invariants:
 * - A leader's session epoch is its key's create revision. Revisions only
 *   grow and a leader's key is the oldest one left, so every new leader's
 *   epoch is greater than every earlier leader's: a fencing token no older
 *   leader can beat.
 * - A leader that cannot confirm its lease stops acting as leader before etcd
 *   could expire it and elect another: a watchdog revokes leadership once no
 *   renewal has been confirmed for `stepDownAfterMs` (TTL less max(1 s, TTL/3),
 *   counted from when the renewal was *requested*), or at once when etcd
 *   reports the lease gone. `contender.revokeLeadership()` runs synchronously
 *   in that check, before any further work of the process. A single failed
 *   keepalive is no reason: during a blip shorter than the margin allows, the
 *   leader keeps leading (etcd keeps the lease too).
 * - One campaign at a time: whatever ends a campaign (lease lost, watchdog,
 *   failed call, stop), it ends once, the first reason wins, and then exactly
 *   one new campaign starts, on a new lease. (etcd3's own `Campaign` emits
 *   `error` twice for one lost lease; it is not used.)
 * - `stop()` revokes leadership first, then resigns (revokes the lease, which
 *   deletes the key) so a standby takes over at once.
 * - Every etcd call is bounded (see etcd-client.ts); a lease that could not be
 *   revoked is revoked before the next campaign, so after an etcd outage its
 *   key does not hold up the election until the TTL runs out.
 */
export interface EtcdLeaderElectionOptions {
  readonly logger?: Logger;
  /** A client to use instead of creating one; `stop()` then leaves it open. */
  readonly client?: Etcd3;
  /** Period of the lease watchdog, default 100 ms. */
  readonly watchdogIntervalMs?: number;
}

/** How long a standby waits on the candidate ahead of it before reading the election again. */
const PREDECESSOR_RECHECK_MS = 2000;

/** A revocation of leadership, for diagnosis. */
export interface LeadershipLoss {
  readonly reason: string;
  readonly session: LeaderSession;
  /** `performance.now()` when leadership was revoked. */
  readonly at: number;
  /** Milliseconds since the last confirmed lease renewal was requested, at revocation. */
  readonly leaseSilentMs: number;
}

/** Why a campaign ended; `failed`: it never joined the election (retried after a backoff). */
interface CampaignOutcome {
  readonly reason: string;
  readonly failed: boolean;
}

export class EtcdLeaderElectionService implements LeaderElectionService {
  /** Lease TTL in seconds (the configured TTL rounded up, at least 2). */
  readonly ttlSeconds: number;
  /** A leader steps down after this long without a confirmed renewal. */
  readonly stepDownAfterMs: number;
  private readonly client: Etcd3;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly watchdogIntervalMs: number;
  private readonly stopping = new AbortController();
  private readonly staleLeases = new Set<string>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  private leadership: { readonly session: LeaderSession; readonly renewal: LeaseKeeper; readonly key: string } | undefined;
  private lastLoss: LeadershipLoss | undefined;

  constructor(settings: EtcdSettings, options: EtcdLeaderElectionOptions = {}) {
    this.ttlSeconds = etcdLeaseTtlSeconds(settings);
    this.stepDownAfterMs = leaderStepDownAfterMs(this.ttlSeconds);
    this.client = options.client ?? createEtcdClient(settings);
    this.ownsClient = options.client === undefined;
    this.prefix = etcdElectionPrefix(settings);
    this.watchdogIntervalMs = options.watchdogIntervalMs ?? 100;
    this.log = (options.logger ?? silentLogger()).child({ election: this.prefix });
    this.log.info(
      { etcd: describeEtcd(settings), ttlSeconds: this.ttlSeconds, stepDownAfterMs: this.stepDownAfterMs },
      'etcd leader election configured',
    );
  }

  /** Starts campaigning; resolves at once. Leadership arrives later through `contender`. */
  async start(contender: LeaderContender, address: LeaderAddress): Promise<void> {
    if (this.loop !== undefined || this.stopping.signal.aborted) {
      throw new IllegalStateError('EtcdLeaderElectionService can be started once');
    }
    const record: LeaderRecord = {
      rpcAddress: address.rpcAddress,
      ...(address.restAddress !== undefined ? { restAddress: address.restAddress } : {}),
    };
    this.loop = this.campaignUntilStopped(contender, record);
  }

  /** Revokes leadership, resigns from the election and closes the client it created. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort(new Error('the election service stops'));
    await this.loop;
    // Leases that could not be revoked during an outage: one last short try, else they expire.
    await this.revokeStaleLeases(new AbortController().signal, 1000).catch(() => undefined);
    if (this.ownsClient) this.client.close();
  }

  /** True while leadership is granted and its lease was confirmed renewed within `stepDownAfterMs`. */
  isLeading(): boolean {
    return this.leadership !== undefined && this.leadership.renewal.silentForMs() <= this.stepDownAfterMs;
  }

  /** The current leader session, while leading. */
  get session(): LeaderSession | undefined {
    return this.leadership?.session;
  }

  /**
   * The leader's election key (`/rivulet/<cluster-id>/leader/<lease id in hex>`),
   * while leading. With `session.epoch` (its create revision) it fences the HA
   * stores' writes: etcd refuses them once the key is gone or was re-created.
   */
  leaderKey(): string | undefined {
    return this.leadership?.key;
  }

  /**
   * The last time this service revoked leadership: why, which session, when
   * (`performance.now()` ms) and how long its lease had then gone without a
   * confirmed renewal (always below the TTL when the watchdog acted).
   */
  get lastLeadershipLoss(): LeadershipLoss | undefined {
    return this.lastLoss;
  }

  private async campaignUntilStopped(contender: LeaderContender, record: LeaderRecord): Promise<void> {
    const backoff = new Backoff(100, 1000);
    while (!this.stopping.signal.aborted) {
      const outcome = await this.campaignOnce(contender, record);
      if (this.stopping.signal.aborted) break;
      const delayMs = outcome.failed ? backoff.next() : 0;
      if (!outcome.failed) backoff.reset();
      this.log.info({ reason: outcome.reason, delayMs }, 'campaign ended; campaigning again');
      try {
        await sleep(delayMs, this.stopping.signal);
      } catch {
        break;
      }
    }
    this.log.info('left the election');
  }

  /** One campaign on one lease: from the grant until the lease is lost, given up or the service stops. */
  private async campaignOnce(contender: LeaderContender, record: LeaderRecord): Promise<CampaignOutcome> {
    const ended = new AbortController();
    let outcome: CampaignOutcome | undefined;
    let granted: LeaderSession | undefined;
    let joined = false;
    let lease: Lease | undefined;
    let renewal: LeaseKeeper | undefined;
    let leaseId: string | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    // Synchronous and idempotent: the first reason wins (etcd3 reports one loss twice).
    const end = (reason: string): void => {
      if (outcome !== undefined) return;
      outcome = { reason, failed: !joined };
      if (granted !== undefined) {
        const session = granted;
        granted = undefined;
        this.leadership = undefined;
        const leaseSilentMs = Math.round(renewal?.silentForMs() ?? 0);
        this.lastLoss = { reason, session, at: performance.now(), leaseSilentMs };
        this.log.warn({ reason, sessionId: session.sessionId, epoch: session.epoch, leaseSilentMs }, 'stepping down: leadership revoked');
        try {
          contender.revokeLeadership();
        } catch (err) {
          // Runs in timers and event handlers: a throwing contender must not crash the process.
          this.log.error({ err: errorMessage(err) }, 'contender failed to handle the revocation');
        }
      }
      ended.abort(new Error(reason));
    };
    const onStop = (): void => end('the election service stops');
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    if (this.stopping.signal.aborted) onStop();

    try {
      await this.revokeStaleLeases(ended.signal);
      lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: false });
      const keeper = new LeaseKeeper(lease, this.ttlSeconds, {
        onLost: (err) => end(`lease lost: ${errorMessage(err)}`),
        onFailure: (err) => this.log.warn({ err: errorMessage(err), leaseId }, 'lease keepalive failed; retrying'),
        onRecovered: () => this.log.info({ leaseId }, 'lease keepalive recovered'),
      });
      renewal = keeper;
      leaseId = await withEtcdDeadline(lease.grant(), 'lease grant', { signal: ended.signal });
      keeper.start();
      const checkRenewal = (): void => {
        const silentMs = keeper.silentForMs();
        if (silentMs > this.stepDownAfterMs) {
          end(
            `lease ${leaseId} not confirmed renewed for ${Math.round(silentMs)} ms (limit ${this.stepDownAfterMs} ms of a ${this.ttlSeconds} s TTL)`,
          );
        }
      };
      watchdog = setInterval(checkRenewal, this.watchdogIntervalMs);

      const key = `${this.prefix}${BigInt(leaseId).toString(16)}`;
      const created = await withEtcdDeadline(
        this.client
          .if(key, 'Create', '==', 0)
          .then(this.client.put(key).value(encodeLeaderRecord(record)).lease(leaseId))
          .commit(),
        'creation of the candidate key',
        { signal: ended.signal },
      );
      if (!created.succeeded) throw new Error(`candidate key ${key} exists already`);
      const epoch = Number(created.header.revision);
      joined = true;
      this.log.info({ key, epoch }, 'campaigning');

      await this.waitUntilFirst(epoch, ended.signal);
      const session: LeaderSession = { sessionId: newLeaderSessionId(), epoch };
      const published = await withEtcdDeadline(
        this.client
          .if(key, 'Create', '==', epoch)
          .then(this.client.put(key).value(encodeLeaderRecord({ ...record, ...session })).lease(leaseId))
          .commit(),
        'publication of the leader record',
        { signal: ended.signal },
      );
      if (!published.succeeded) throw new Error(`election key ${key} vanished before the leader record was published`);
      checkRenewal();
      if (outcome === undefined) {
        granted = session;
        this.leadership = { session, renewal: keeper, key };
        this.log.info({ sessionId: session.sessionId, epoch, key }, 'leadership granted');
        contender.grantLeadership(session);
      }
      await new Promise<void>((resolve) => {
        if (ended.signal.aborted) resolve();
        else ended.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } catch (err) {
      end(`campaign failed: ${errorMessage(err)}`);
    } finally {
      clearInterval(watchdog);
      renewal?.stop();
      this.stopping.signal.removeEventListener('abort', onStop);
      if (lease !== undefined) await this.resign(lease, leaseId);
    }
    return outcome ?? { reason: 'campaign ended', failed: true };
  }

  /** Resolves once no candidate key older than ours (create revision below `epoch`) is left. */
  private async waitUntilFirst(epoch: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const ahead = await withEtcdDeadline(
        this.client
          .getAll()
          .prefix(this.prefix)
          .maxCreateRevision(String(epoch - 1))
          .sort('Create', 'Descend')
          .limit(1)
          .exec(),
        'read of the candidates ahead',
        { signal },
      );
      const predecessor = ahead.kvs[0];
      if (predecessor === undefined) return;
      this.log.debug({ ahead: predecessor.key.toString() }, 'standing by');
      await this.waitForDelete(predecessor.key, BigInt(ahead.header.revision) + 1n, signal);
    }
  }

  /** Resolves when `key` is deleted after `fromRevision`, or after a while to read again. */
  private async waitForDelete(key: Buffer, fromRevision: bigint, signal: AbortSignal): Promise<void> {
    const watcher = this.client.watch().key(key).startRevision(fromRevision.toString()).only('delete').watcher();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(resolve, PREDECESSOR_RECHECK_MS);
        watcher.once('delete', () => resolve());
        watcher.on('error', reject);
        onAbort = () => reject(signal.reason);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      watcher.removeAllListeners('error');
      watcher.on('error', () => undefined);
      withEtcdDeadline(watcher.cancel(), 'watch cancel', { timeoutMs: 1000 }).catch(() => undefined);
    }
  }

  /** Gives up the lease, deleting the candidate key; remembered for later when etcd does not answer. */
  private async resign(lease: Lease, leaseId: string | undefined): Promise<void> {
    try {
      await withEtcdDeadline(lease.revoke(), 'lease revoke');
      if (leaseId !== undefined) this.log.info({ leaseId }, 'lease revoked: resigned from the election');
    } catch (err) {
      lease.release();
      if (leaseId === undefined || err instanceof EtcdLeaseInvalidError) return;
      this.staleLeases.add(leaseId);
      this.log.warn({ leaseId, err: errorMessage(err) }, 'could not revoke the lease; revoking it before the next campaign');
    }
  }

  private async revokeStaleLeases(signal: AbortSignal, timeoutMs?: number): Promise<void> {
    for (const id of this.staleLeases) {
      try {
        await withEtcdDeadline(this.client.leaseClient.leaseRevoke({ ID: id }), 'revoke of a former lease', {
          signal,
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        });
      } catch (err) {
        if (!(err instanceof EtcdLeaseInvalidError)) throw err;
      }
      this.staleLeases.delete(id);
      this.log.info({ leaseId: id }, 'former lease revoked');
    }
  }
}
