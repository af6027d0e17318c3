import { performance } from 'node:perf_hooks';
import { EtcdLeaseInvalidError, type Lease } from 'etcd3';
import { sleep } from '../../time/abortable.js';
import { withEtcdDeadline } from './etcd-client.js';

/** Pause before the next keepalive after a failed one: renew as soon as etcd is back. */
const RETRY_AFTER_FAILURE_MS = 100;

/**
 * Keeps one etcd lease alive and knows, conservatively, when it was last
 * renewed.
 *
 * Invariant: `renewedAt` is never later than the moment etcd last renewed the
 * lease: it is the time the answered request was *sent* (the grant, or a
 * keepalive), not the time the answer was read, so a process frozen (SIGSTOP,
 * a long pause) with an answer waiting in its socket does not count that
 * answer as a fresh renewal. etcd expires the lease no earlier than
 * `renewedAt + TTL`.
 *
 * Keepalives are single requests (`keepaliveOnce`), one every `intervalMs`
 * (TTL/10 within 200 ms..1 s, where etcd3's own loop sends one every TTL/3),
 * each bounded by `timeoutMs`, and every 100 ms while they fail. Sending often matters: after an etcd outage the
 * first renewal comes at most one interval after etcd is back, so with a 5 s
 * TTL the leader rides out outages of up to ~2.5 s before its watchdog
 * (TTL less max(1 s, TTL/3)) makes it step down; with etcd3's TTL/3 interval it
 * would be ~1.6 s.
 *
 * Times are `performance.now()` milliseconds (monotonic, immune to clock jumps).
 */
export class LeaseKeeper {
  private renewed: number;
  private failing = false;
  private readonly stopping = new AbortController();
  readonly intervalMs: number;
  readonly timeoutMs: number;

  /**
   * Attach right after `lease` was created with `autoKeepAlive: false` (its
   * grant request is on its way). `onLost` runs when etcd says the lease is
   * gone (or could not grant it); `onFailure` / `onRecovered` bracket a
   * streak of failed keepalives, for logging.
   */
  constructor(
    private readonly lease: Lease,
    ttlSeconds: number,
    private readonly handlers: {
      onLost: (err: Error) => void;
      onFailure?: (err: Error) => void;
      onRecovered?: () => void;
    },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.renewed = this.now(); // the grant request leaves after this: its TTL counts from later
    this.intervalMs = Math.min(1000, Math.max(200, (ttlSeconds * 1000) / 10));
    this.timeoutMs = Math.max(1000, 2 * this.intervalMs);
    lease.on('lost', (err: Error) => handlers.onLost(err));
  }

  /** Starts renewing, once the grant has answered. */
  start(): void {
    void this.run();
  }

  /** Stops renewing (does not revoke the lease). */
  stop(): void {
    this.stopping.abort(new Error('lease keeper stopped'));
  }

  get renewedAt(): number {
    return this.renewed;
  }

  /** Milliseconds since the last confirmed renewal was requested. */
  silentForMs(): number {
    return this.now() - this.renewed;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await sleep(this.failing ? RETRY_AFTER_FAILURE_MS : this.intervalMs, signal);
      } catch {
        return;
      }
      const sentAt = this.now();
      try {
        await withEtcdDeadline(this.lease.keepaliveOnce({ deadline: Date.now() + this.timeoutMs }), 'lease keepalive', {
          timeoutMs: this.timeoutMs,
          signal,
        });
        if (sentAt > this.renewed) this.renewed = sentAt;
        if (this.failing) {
          this.failing = false;
          this.handlers.onRecovered?.();
        }
      } catch (err) {
        if (signal.aborted) return;
        // etcd answered that the lease is gone: keepaliveOnce emitted `lost`.
        if (err instanceof EtcdLeaseInvalidError) return;
        if (!this.failing) {
          this.failing = true;
          this.handlers.onFailure?.(err instanceof Error ? err : new Error(String(err)));
        }
      }
    }
  }
}
