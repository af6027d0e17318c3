import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WatermarkStrategy, defineJob, type StreamExecutionEnvironment } from '@rivulet/api';
import { Encoders, FileSink } from '@rivulet/connector-files';
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
 * and, as JSON lines, with the FileSink to `--output`: an S3 prefix
 * (`s3://rivulet/nats-aggregation` with `--s3-endpoint http://minio:9000` on
 * compose, whose TaskManagers hold MinIO's credentials in RIVULET_S3_*) or a
 * folder (default: .rivulet/output/nats-aggregation under the TaskManager's
 * working folder), in hourly buckets. Runs until cancelled; `--bounded true`
 * stops at the end of what EVENTS holds when it starts.
 *
 *   pnpm rivulet run examples/nats-aggregation.ts --set execution.checkpointing.interval=1s [-- --servers nats://127.0.0.1:4222 --bounded true]
 *   … -- --output s3://BUCKET/PREFIX --s3-endpoint URL [--s3-access-key KEY --s3-secret-key SECRET]
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
    totals.sinkTo(userTotalFiles(env)).name('Totals as files').uid('files');
  },
  { name: 'nats-aggregation' },
);

/** The FileSink of the totals: JSON lines under `--output`, reaching S3 as the parameters say. */
function userTotalFiles(env: StreamExecutionEnvironment): FileSink<UserTotal> {
  const output = env.getParameter('output', pathToFileURL(resolve('.rivulet/output/nats-aggregation')).href);
  const files = FileSink.forRowFormat(output, Encoders.jsonLines<UserTotal>());
  if (output.startsWith('s3://')) {
    const endpoint = env.getParameter('s3-endpoint', '');
    const accessKey = env.getParameter('s3-access-key', '');
    const secretKey = env.getParameter('s3-secret-key', '');
    files.withS3({
      ...(endpoint !== '' ? { endpoint, pathStyleAccess: true } : {}),
      ...(accessKey !== '' ? { accessKey, secretKey } : {}),
    });
  }
  return files.build();
}
