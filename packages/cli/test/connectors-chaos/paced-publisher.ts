import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient } from '@nats-io/jetstream';
import { purchase, purchaseSubject } from './purchases.js';

/**
 * Publishes purchases 0..n-1 into JetStream at a steady pace (one chunk a
 * tick, each chunk acknowledged before the next, so every subject holds its
 * purchases in order), so that input still arrives while the test kills
 * TaskManagers; `hurry()` publishes the rest at once. `done` settles when
 * all n are stored (or publishing failed, or `stop()` was called).
 */
export class PacedPublisher {
  readonly done: Promise<void>;
  private published = 0;
  private hurrying = false;
  private stopped = false;

  constructor(
    private readonly client: JetStreamClient,
    private readonly n: number,
    private readonly users: number,
    private readonly subjects: readonly string[],
    private readonly perSecond: number,
  ) {
    this.done = this.run();
    this.done.catch(() => undefined); // the test awaits it; a failure before that must not be unhandled
  }

  /** How many purchases the stream has acknowledged. */
  get count(): number {
    return this.published;
  }

  hurry(): void {
    this.hurrying = true;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((this.perSecond * tickMs) / 1000));
    const started = Date.now();
    for (let tick = 1; this.published < this.n && !this.stopped; tick++) {
      const end = Math.min(this.n, this.published + (this.hurrying ? 2000 : perTick));
      const acks = [];
      for (let i = this.published; i < end; i++) {
        acks.push(this.client.publish(purchaseSubject(i, this.users, this.subjects), JSON.stringify(purchase(i, this.users))));
      }
      await Promise.all(acks);
      this.published = end;
      if (!this.hurrying) await sleep(Math.max(0, started + tick * tickMs - Date.now()));
    }
  }
}
