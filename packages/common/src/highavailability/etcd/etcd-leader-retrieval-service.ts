import { performance } from 'node:perf_hooks';
import type { Etcd3, Watcher } from 'etcd3';
import { IllegalStateError, errorMessage } from '../../errors.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import type { LeaderAddress, LeaderRetrievalService } from '../leader.js';
import { withEtcdDeadline, createEtcdClient, describeEtcd, etcdElectionPrefix, etcdLeaseTtlSeconds, type EtcdSettings } from './etcd-client.js';
import { readElectedLeader, sameLeader } from './leader-record.js';

/**
 * `high-availability.type: etcd`: finds the leader in the etcd election and
 * reports it (address, `sessionId`, `epoch`) to one listener, or null when
 * there is none.
 *
 * Contracts:
 * - The listener is called once at start (leader or null) and then on every
 *   change, never twice in a row with the same report.
 * - A leader is reported only once it published its session; a candidate
 *   that has just come first but not yet published counts as no leader.
 * - The election is read again on every watch event and at least every
 *   `pollIntervalMs`: etcd3's observer reports no disconnects, so polling is
 *   what notices etcd coming back (and the watch reconnects on its own).
 * - While etcd does not answer, the last report stands for up to one lease
 *   TTL (a leader survives a shorter outage); after that the leader has
 *   stepped down (see EtcdLeaderElectionService), so null is reported.
 */
export interface EtcdLeaderRetrievalOptions {
  readonly logger?: Logger;
  /** A client to use instead of creating one; `stop()` then leaves it open. */
  readonly client?: Etcd3;
  /** Longest time between two reads of the election, default 1000 ms. */
  readonly pollIntervalMs?: number;
}

export class EtcdLeaderRetrievalService implements LeaderRetrievalService {
  private readonly client: Etcd3;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly forgetAfterMs: number;
  private readonly stopping = new AbortController();
  private listener: ((leader: LeaderAddress | null) => void) | undefined;
  private reported: LeaderAddress | null | undefined;
  private lastAnswerAt = performance.now();
  private watcher: Watcher | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(settings: EtcdSettings, options: EtcdLeaderRetrievalOptions = {}) {
    this.client = options.client ?? createEtcdClient(settings);
    this.ownsClient = options.client === undefined;
    this.prefix = etcdElectionPrefix(settings);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.forgetAfterMs = etcdLeaseTtlSeconds(settings) * 1000;
    this.log = (options.logger ?? silentLogger()).child({ election: this.prefix, etcd: describeEtcd(settings) });
  }

  /** Resolves after the first read of the election has been reported (leader or null). */
  async start(listener: (leader: LeaderAddress | null) => void): Promise<void> {
    if (this.listener !== undefined || this.stopped) throw new IllegalStateError('EtcdLeaderRetrievalService can be started once');
    this.listener = listener;
    this.watch();
    await this.refresh();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort(new Error('the retrieval service stops'));
    this.wake();
    await this.loop;
    await this.unwatch();
    if (this.ownsClient) this.client.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.nextWakeUp();
      if (this.stopping.signal.aborted) return;
      if (this.watcher === undefined) this.watch();
      await this.refresh();
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Waits for a watch event, the poll interval or stop, whichever first. */
  private nextWakeUp(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wakeUp = done;
    });
  }

  /** A watch on the whole election: any change, or a reconnect, triggers a read. */
  private watch(): void {
    const watcher = this.client.watch().prefix(this.prefix).watcher();
    watcher.on('put', () => this.wake());
    watcher.on('delete', () => this.wake());
    watcher.on('connected', () => this.wake());
    watcher.on('disconnected', (err) => this.log.debug({ err: errorMessage(err) }, 'election watch disconnected'));
    watcher.on('error', (err) => {
      // Unrecoverable for this watcher (e.g. compacted revision): make a new one.
      this.log.warn({ err: errorMessage(err) }, 'election watch failed; watching again');
      if (this.watcher === watcher) this.watcher = undefined;
      withEtcdDeadline(watcher.cancel(), 'watch cancel', { timeoutMs: 1000 }).catch(() => undefined);
      this.wake();
    });
    this.watcher = watcher;
  }

  private async unwatch(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher !== undefined) await withEtcdDeadline(watcher.cancel(), 'watch cancel', { timeoutMs: 1000 }).catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    let leader: LeaderAddress | null;
    try {
      leader = (await readElectedLeader(this.client, this.prefix, { signal: this.stopping.signal })) ?? null;
      this.lastAnswerAt = performance.now();
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      const silentMs = performance.now() - this.lastAnswerAt;
      if (this.reported !== undefined && this.reported !== null && silentMs <= this.forgetAfterMs) {
        this.log.debug({ err: errorMessage(err), silentMs }, 'etcd did not answer; keeping the last known leader');
        return;
      }
      if (this.reported !== null) this.log.warn({ err: errorMessage(err), silentMs }, 'etcd did not answer; leader unknown');
      leader = null;
    }
    this.report(leader);
  }

  private report(leader: LeaderAddress | null): void {
    if (this.reported !== undefined && sameLeader(this.reported, leader)) return;
    this.reported = leader;
    this.log.info({ leader }, leader === null ? 'no leader' : 'leader found');
    try {
      this.listener?.(leader);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'leader listener threw');
    }
  }
}
