import { WatermarkStrategy, defineJob } from '@rivulet/api';
import { NatsSink, NatsSource } from '@rivulet/connector-nats';

/**
 * bench/nats's job: a bounded NATS stream (one split per partition subject)
 * -> keyed running count -> NATS sink (one message per count), exactly-once
 * unless --guarantee says otherwise.
 */
interface Event {
  readonly key: string;
  readonly n: number;
}

export default defineJob((env) => {
  const servers = env.getParameter('servers');
  const prefix = env.getParameter('output-prefix');
  env
    .fromSource(
      new NatsSource<Event>({ servers, stream: env.getParameter('input-stream'), subjects: env.getParameter('subjects').split(','), bounded: true }),
      WatermarkStrategy.noWatermarks<Event>(),
      'nats-events',
    )
    .map((event) => ({ key: event.key, count: 1 }))
    .keyBy((record) => record.key)
    .sum('count')
    .sinkTo(
      new NatsSink<{ key: string; count: number }>({
        servers,
        stream: env.getParameter('output-stream'),
        subject: (record) => `${prefix}.${record.key}`,
        deliveryGuarantee: env.getParameter('guarantee', 'EXACTLY_ONCE') as 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' | 'NONE',
      }),
    )
    .name('NATS Sink');
}, { name: 'bench-nats' });
