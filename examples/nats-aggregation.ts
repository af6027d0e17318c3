import { WatermarkStrategy, defineJob } from '@rivulet/api';
import { NatsSink, NatsSource, partitionSubjects } from '@rivulet/connector-nats';

interface Purchase {
  readonly user: string;
  readonly amount: number;
  readonly n: number;
}

interface UserTotal {
  readonly user: string;
  readonly purchases: number;
  readonly amount: number;
}

/**
 * Reads the purchases examples/nats-produce-events.ts wrote to the stream
 * EVENTS (one split per partition subject events.0 .. events.3), keeps a
 * running total per user, and writes each total exactly once to the stream
 * RESULTS (created when missing, subjects results.>, one subject per user)
 * and to text files (.rivulet/output/nats-aggregation). Runs until cancelled;
 * `--bounded true` stops at the end of what EVENTS holds when it starts.
 *
 *   pnpm rivulet run examples/nats-aggregation.ts [-- --servers nats://127.0.0.1:4222 --bounded true]
 */
export default defineJob(
  (env) => {
    const servers = env.getParameter('servers', 'nats://127.0.0.1:4222');
    const totals = env
      .fromSource(
        new NatsSource<Purchase>({
          servers,
          stream: 'EVENTS',
          subjects: partitionSubjects('events.{partition}', 4),
          bounded: env.getParameter('bounded', 'false') === 'true',
        }),
        WatermarkStrategy.noWatermarks<Purchase>(),
        'purchases',
      )
      .uid('purchases')
      .map((purchase): UserTotal => ({ user: purchase.user, purchases: 1, amount: purchase.amount }))
      .keyBy((total) => total.user)
      .reduce((a, b) => ({ user: a.user, purchases: a.purchases + b.purchases, amount: a.amount + b.amount }))
      .uid('user-totals');
    totals
      .sinkTo(
        new NatsSink<UserTotal>({
          servers,
          stream: 'RESULTS',
          subject: (total) => `results.${total.user}`,
          deliveryGuarantee: 'EXACTLY_ONCE',
          createStream: { subjects: ['results.>'] },
        }),
      )
      .name('NATS results')
      .uid('nats-results');
    totals.writeAsText(env.getParameter('output', '.rivulet/output/nats-aggregation')).uid('files');
  },
  { name: 'nats-aggregation' },
);
