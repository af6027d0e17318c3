import { defineJob } from '@rivulet/api';
import { NatsSink } from '@rivulet/connector-nats';

interface Purchase {
  readonly user: string;
  readonly amount: number;
  readonly n: number;
}

/**
 * Feeds examples/nats-aggregation.ts: `--events N` purchases of 50 users into
 * the JetStream stream EVENTS (created when missing, subjects events.>), each
 * on the partition subject events.0 .. events.3 of its user, at least once.
 *
 *   pnpm rivulet run examples/nats-produce-events.ts [-- --servers nats://127.0.0.1:4222 --events 100000]
 */
export default defineJob(
  (env) => {
    const servers = env.getParameter('servers', 'nats://127.0.0.1:4222');
    const events = Number(env.getParameter('events', '100000'));
    env
      .fromSequence(0, events - 1)
      .map((n): Purchase => ({ user: `user-${n % 50}`, amount: (n * 7919) % 100, n }))
      .sinkTo(
        new NatsSink<Purchase>({
          servers,
          stream: 'EVENTS',
          subject: (purchase) => `events.${Number(purchase.user.slice(5)) % 4}`,
          deliveryGuarantee: 'AT_LEAST_ONCE',
          createStream: { subjects: ['events.>'] },
        }),
      )
      .name('NATS events');
  },
  { name: 'nats-produce-events' },
);
