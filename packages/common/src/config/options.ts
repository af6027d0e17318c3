import { bool, decimal, duration, integer, memorySizeMb, oneOf, optional, port, text, textList, type OptionType } from './option-types.js';
import { durationInSeconds } from './option-types.js';

/**
 * Every configuration key Rivulet accepts. Names follow Flink's where the
 * concept is the same. A key not listed here is an error wherever it appears
 * (file, environment, flag), so this table is the whole configuration surface;
 * docs/configuration.md documents each entry (a test keeps them in step).
 */
export interface ConfigOption<T> {
  readonly type: OptionType<T>;
  readonly default: T;
  readonly description: string;
}

function option<T>(type: OptionType<T>, defaultValue: T, description: string): ConfigOption<T> {
  return { type, default: defaultValue, description };
}

export const CONFIG_OPTIONS = {
  'jobmanager.rpc.address': option(text, '127.0.0.1', 'Address TaskManagers and clients use to reach the JobManager: given to them with high-availability.type none; with etcd, the address this JobManager publishes in the election.'),
  'jobmanager.rpc.port': option(port, 6123, 'gRPC port of the JobManager.'),
  'jobmanager.bind-host': option(text, '127.0.0.1', 'Interface the JobManager gRPC server binds to (0.0.0.0 in containers).'),
  'rest.address': option(text, '127.0.0.1', 'Address clients use to reach the REST endpoint.'),
  'rest.bind-address': option(text, '127.0.0.1', 'Interface the REST server binds to.'),
  'rest.port': option(port, 8081, 'HTTP port of the JobManager: REST API, /metrics, /healthz, /readyz.'),
  'taskmanager.host': option(optional(text), null, 'Address the TaskManager advertises to the JobManager and other TaskManagers; unset: the bind host, or the machine\'s hostname when binding all interfaces.'),
  'taskmanager.bind-host': option(text, '127.0.0.1', 'Interface the TaskManager servers bind to.'),
  'taskmanager.rpc.port': option(port, 6122, 'gRPC port of the TaskManager.'),
  'taskmanager.data.port': option(port, 6121, 'Data exchange port of the TaskManager.'),
  'taskmanager.http.port': option(port, 9249, 'HTTP port of the TaskManager: /metrics, /healthz, /readyz (registered with the leader).'),
  'taskmanager.numberOfTaskSlots': option(integer(1, 1024), 1, 'Slots this TaskManager offers.'),
  'taskmanager.memory.task.heap.size': option(optional(memorySizeMb), null, 'Heap for user code of all slots of a TaskManager (e.g. 2g), divided evenly among the slots: each slot\'s thread gets its share as its heap limit, and a task exceeding it fails with that cause while other slots run on. Unset: 1g per slot.'),
  'task.cancellation.timeout': option(duration, 180_000, 'A cancelled task still running this long after its cancellation has its slot\'s thread ended (the TaskManager and its other slots keep running); 0: never.'),
  'task.cancellation.interval': option(duration, 30_000, 'How often a cancelled task that has not stopped is logged and asked again to stop.'),
  'taskmanager.resource-id': option(optional(text), null, 'Stable id of the TaskManager; generated from host and port when unset.'),
  'cluster.registration.initial-timeout': option(duration, 100, 'First delay between registration attempts of a TaskManager.'),
  'cluster.registration.max-timeout': option(duration, 2000, 'Largest delay between registration attempts (exponential backoff).'),
  'cluster.services.shutdown-timeout': option(duration, 10_000, 'Bound on a graceful stop; after it the process exits anyway.'),
  'heartbeat.interval': option(duration, 1000, 'Interval between heartbeats from TaskManager to JobManager and back.'),
  'heartbeat.timeout': option(duration, 5000, 'A peer silent this long is declared lost. A broken connection is lost at once.'),
  'high-availability.type': option(oneOf(['none', 'etcd']), 'none', 'none: one JobManager, no etcd. etcd: leader election and HA stores in etcd.'),
  'high-availability.etcd.endpoints': option(textList, [], 'etcd client URLs, e.g. http://etcd:2379.'),
  'high-availability.cluster-id': option(text, 'default', 'Namespace of this cluster under /rivulet/ in etcd.'),
  'high-availability.etcd.lease-ttl': option(duration, 5000, 'TTL of the leader lease.'),
  'execution.checkpointing.interval': option(optional(duration), null, 'Interval between checkpoints; unset disables checkpointing.'),
  'execution.checkpointing.dir': option(text, 'file://.rivulet/checkpoints', 'Checkpoint storage: file:///path or s3://bucket/prefix. The same on the JobManager and every TaskManager: a TaskManager with another is refused at registration and exits 1.'),
  'execution.checkpointing.savepoint-dir': option(optional(text), null, 'Default target of savepoints when `rivulet savepoint` / `stop` name none.'),
  'restart-strategy.type': option(optional(oneOf(['none', 'fixed-delay', 'failure-rate', 'exponential-delay'])), null, 'Restart strategy; unset: exponential-delay with checkpointing, none without.'),
  'jobmanager.execution.failover-strategy': option(oneOf(['full', 'region']), 'region', 'Which tasks restart after a failure: full restarts every task, region only the pipelined region (tasks connected by data exchanges) of the failed one.'),
  'restart-strategy.fixed-delay.attempts': option(integer(0, 2_147_483_647), 1, 'fixed-delay: restarts allowed before the job fails.'),
  'restart-strategy.fixed-delay.delay': option(duration, 1000, 'fixed-delay: wait between a failure and the restart.'),
  'restart-strategy.failure-rate.max-failures-per-interval': option(integer(1, 2_147_483_647), 1, 'failure-rate: failures within one interval that still restart; one more fails the job.'),
  'restart-strategy.failure-rate.failure-rate-interval': option(duration, 60_000, 'failure-rate: the sliding window failures are counted in.'),
  'restart-strategy.failure-rate.delay': option(duration, 1000, 'failure-rate: wait between a failure and the restart.'),
  'restart-strategy.exponential-delay.initial-backoff': option(duration, 1000, 'exponential-delay: wait before the first restart.'),
  'restart-strategy.exponential-delay.max-backoff': option(duration, 60_000, 'exponential-delay: the longest wait between restarts.'),
  'restart-strategy.exponential-delay.backoff-multiplier': option(decimal(1, 1_000_000), 1.5, 'exponential-delay: factor the wait grows by after each restart.'),
  'restart-strategy.exponential-delay.reset-backoff-threshold': option(duration, 3_600_000, 'exponential-delay: a job running this long without a failure starts again at initial-backoff.'),
  'restart-strategy.exponential-delay.jitter-factor': option(decimal(0, 1), 0.1, 'exponential-delay: random spread of each wait, as a fraction of it (0.1: ±10%).'),
  'restart-strategy.exponential-delay.attempts-before-reset-backoff': option(optional(integer(1, 2_147_483_647)), null, 'exponential-delay: restarts allowed between two backoff resets before the job fails; unset: unbounded.'),
  'scheduler-mode': option(oneOf(['default', 'reactive']), 'default', 'default: a job runs at its configured parallelism and waits (slot.request.timeout) for slots after losing some; reactive: it runs at the parallelism the free slots allow and scales up when TaskManagers join.'),
  'state.backend.local-recovery': option(bool, true, 'Keep a local copy of each subtask\'s last snapshot on its TaskManager; a subtask restored there reads its key groups from local disk and only what moved from checkpoint storage.'),
  'state.restore.concurrency': option(integer(1, 256), 4, 'Ranged reads of state files a restoring subtask keeps in flight at once (Flink\'s RocksDB restore uses state.backend.rocksdb.checkpoint.transfer.thread.num, default 4, for the same).'),
  'state.restore.coalesce-reads': option(bool, true, 'A restoring subtask reads the key groups it needs from one state file in few large ranged reads (up to 16 MiB each, across gaps of up to 1 MiB) instead of one read per key group.'),
  'taskmanager.state.local.root-dirs': option(optional(text), null, 'Where local-recovery copies live; unset: <taskmanager.tmp.dirs or the system temporary folder>/rivulet-local-state-<resource id>.'),
  'parallelism.default': option(integer(1, 32768), 1, 'Parallelism of a job that sets none.'),
  'pipeline.max-parallelism': option(integer(1, 32768), 128, 'Number of key groups of a job that sets none (its upper bound of parallelism; fixed for the life of its state).'),
  'pipeline.object-reuse': option(bool, false, 'Operators of a job hand records to each other, to keyed state and to sinks without copying them; only for jobs whose functions never mutate a record they received or emitted (env.enableObjectReuse() in the job overrides it).'),
  'pipeline.auto-watermark-interval': option(duration, 200, 'Event time: how often timestamp assigners call their watermark generator\'s onPeriodicEmit (and check idleness); 0 turns periodic watermarks off (env.setAutoWatermarkInterval() in the job overrides it).'),
  'slot.request.timeout': option(duration, 30_000, 'How long a job waits for enough free slots before it fails.'),
  'cluster.evenly-spread-out-slots': option(bool, true, 'Spread a job\'s slots over TaskManagers round-robin instead of filling one TaskManager first.'),
  'execution.buffer-timeout': option(duration, 100, 'Longest time a record waits in a partly filled network buffer.'),
  'taskmanager.network.buffer-size': option(integer(1024, 16 * 1024 * 1024, 'a size in bytes'), 32 * 1024, 'Size of a network buffer (a batch of serialized records); with buffer debloating, the size the first batches of a channel are cut at.'),
  'taskmanager.network.memory.buffer-debloat.enabled': option(bool, true, 'Size the batches of each channel between TaskManagers and slots to its consumer\'s pace, so its in-flight data takes buffer-debloat.target to work through (a barrier waits about that long behind it under backpressure).'),
  'taskmanager.network.memory.buffer-debloat.target': option(duration, 1000, 'Buffer debloating: how long a channel\'s in-flight data should take its consumer to process.'),
  'taskmanager.network.memory.buffer-debloat.period': option(duration, 200, 'Buffer debloating: how often each channel\'s consumer rate is measured and its batch size recomputed.'),
  'taskmanager.memory.min-segment-size': option(integer(64, 16 * 1024 * 1024, 'a size in bytes'), 256, 'Buffer debloating: the smallest batch, in serialized bytes.'),
  'taskmanager.network.memory.buffer-debloat.max-buffer-size': option(optional(integer(1024, 64 * 1024 * 1024, 'a size in bytes')), null, 'Buffer debloating: the largest batch, in serialized bytes, for a consumer that keeps up; unset: 4 times taskmanager.network.buffer-size.'),
  'taskmanager.tmp.dirs': option(optional(text), null, 'Where a TaskManager caches job bundles; unset: the system temporary folder.'),
  's3.endpoint': option(optional(text), null, 'S3 endpoint URL (MinIO: http://minio:9000); unset uses AWS.'),
  's3.path-style-access': option(bool, false, 'Path-style bucket addressing (MinIO and s3rver need true).'),
  's3.access-key': option(optional(text), null, 'S3 access key; unset uses the AWS default credential chain.'),
  's3.secret-key': option(optional(text), null, 'S3 secret key.'),
  's3.region': option(text, 'us-east-1', 'S3 region.'),
  's3.checksum.request': option(oneOf(['when-supported', 'when-required']), 'when-supported', 'Integrity checksums on uploads: when-supported (the AWS SDK\'s default) sends a CRC32 with every PutObject and UploadPart, which S3 and MinIO check before storing; when-required only where the operation requires one (DeleteObjects), for an endpoint that cannot take them (s3rver stores a streamed body\'s aws-chunked framing as its content).'),
  's3.checksum.response': option(oneOf(['when-supported', 'when-required']), 'when-supported', 'Integrity checksums on downloads: when-supported (the AWS SDK\'s default) asks for the stored checksum and fails a GetObject whose body does not match it; when-required only when a request asks for it, for an endpoint that mishandles the request.'),
  'log.level': option(oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal']), 'info', 'Log level of the daemon.'),
  'execution.checkpointing.timeout': option(duration, 600_000, 'A checkpoint not completed this long after its trigger is aborted (expired).'),
  'execution.checkpointing.min-pause': option(duration, 0, 'Least time between the end of one checkpoint (completed or aborted) and the trigger of the next periodic one.'),
  'execution.checkpointing.max-concurrent-checkpoints': option(integer(1, 1024), 1, 'Most checkpoints in progress at once; a periodic trigger waits while this many are pending.'),
  'execution.checkpointing.tolerable-failed-checkpoints': option(integer(0, 1_000_000), 0, 'Consecutive checkpoint failures (expired, declined, storage) a job survives; one more fails the job.'),
  'execution.checkpointing.mode': option(oneOf(['EXACTLY_ONCE', 'AT_LEAST_ONCE']), 'EXACTLY_ONCE', 'EXACTLY_ONCE aligns barriers at operators with several inputs; AT_LEAST_ONCE does not.'),
  'execution.checkpointing.unaligned.enabled': option(bool, false, 'Unaligned checkpoints (EXACTLY_ONCE only): a barrier overtakes the records queued in output and input buffers, the task snapshots at the first barrier, and the overtaken in-flight records are stored with the checkpoint and replayed on restore. Savepoints stay aligned. A checkpoint with in-flight records restores only at the parallelism it was taken with.'),
  'execution.checkpointing.num-retained': option(integer(1, 1024), 1, 'Completed checkpoints kept; older ones are deleted, files and all.'),
  'execution.checkpointing.externalized-checkpoint-retention': option(oneOf(['NO_EXTERNALIZED_CHECKPOINTS', 'DELETE_ON_CANCELLATION', 'RETAIN_ON_CANCELLATION']), 'NO_EXTERNALIZED_CHECKPOINTS', 'Whether retained checkpoints survive the job: NO_EXTERNALIZED_CHECKPOINTS deletes them when the job is cancelled or fails, DELETE_ON_CANCELLATION keeps them when it fails, RETAIN_ON_CANCELLATION also when cancelled.'),
  'web.checkpoints.history': option(integer(1, 10_000), 10, 'Recent checkpoints a job remembers for GET /jobs/:id/checkpoints and rivulet status.'),
  'jobstore.max-capacity': option(integer(1, 2_147_483_647), 100, 'Most ended jobs (FINISHED, CANCELED, FAILED) the JobManager keeps for REST, rivulet list/status and the result of rivulet run; the oldest is evicted first.'),
  'jobstore.expiration-time': option(durationInSeconds(1), 3600, 'How long the JobManager keeps an ended job, in seconds (as Flink) or with a unit (1 h); then it answers 404 saying it expired.'),
  's3.entropy.key': option(optional(text), null, 'Marker in checkpoint data-file paths replaced by random characters (metadata: removed), e.g. _entropy_; unset: no entropy. See docs/checkpoint-storage.md.'),
  's3.entropy.length': option(integer(1, 64), 4, 'Number of random [0-9a-z] characters that replace s3.entropy.key in data-file paths.'),
  's3.retry.deadline': option(duration, 60_000, 'Bound on one S3 call: transient failures (connection refused/reset, 5xx, throttling) are retried with exponential backoff until it passes; 403, 404 and a missing bucket fail at once.'),
  'pekko.framesize': option(integer(64 * 1024, 2_147_483_647, 'a size in bytes'), 64 * 1024 * 1024, 'Largest gRPC message a daemon accepts (Flink\'s name for its RPC frame size): a submitted job\'s graph and bundle must fit; a larger message is refused with RESOURCE_EXHAUSTED before it is buffered whole.'),
  'rest.server.max-content-length': option(integer(1024, 2_147_483_647, 'a size in bytes'), 100 * 1024 * 1024, 'Largest request body the REST port (and a TaskManager\'s HTTP port) accepts; a larger one is answered 413.'),
  'rest.idleness-timeout': option(duration, 60_000, 'The REST port (and a TaskManager\'s HTTP port) closes a connection idle this long; request headers must arrive within a sixth of it (at most 10 s), so a slow-dripping client is dropped.'),
  'rpc.idleness-timeout': option(duration, 60_000, 'A daemon closes a gRPC connection with no call in progress for this long (a client reconnects on its next call); one that never made a call (garbage, a silent or slow-dripping client) is counted as refused.'),
  'taskmanager.network.frame-timeout': option(duration, 30_000, 'A data connection that sends no HELLO, or does not complete a frame it began, within one to two of this is closed (a stalled or slow-dripping peer).'),
  'security.ssl.internal.enabled': option(bool, false, 'Mutual TLS on every connection between daemons: the gRPC ports of the JobManager and the TaskManagers and the TaskManagers\' data connections. Each side presents security.ssl.internal.cert and verifies the other\'s against security.ssl.internal.ca (docs/security.md).'),
  'security.ssl.internal.cert': option(optional(text), null, 'PEM file with this daemon\'s certificate (then its intermediates), signed by the cluster CA. A client (the CLI) needs none.'),
  'security.ssl.internal.key': option(optional(text), null, 'PEM file with the private key of security.ssl.internal.cert (not encrypted).'),
  'security.ssl.internal.ca': option(optional(text), null, 'PEM file with the cluster CA certificate(s): a peer must present a certificate signed by one of them. Clients (the CLI) verify the JobManager against it.'),
  'security.ssl.rest.enabled': option(bool, false, 'HTTPS on the JobManager\'s REST port (REST API, dashboard, /metrics) with security.ssl.rest.cert and .key.'),
  'security.ssl.rest.cert': option(optional(text), null, 'PEM file with the REST server\'s certificate.'),
  'security.ssl.rest.key': option(optional(text), null, 'PEM file with the private key of security.ssl.rest.cert.'),
  'security.ssl.rest.ca': option(optional(text), null, 'PEM file with the CA certificate(s) REST client certificates must be signed by (security.ssl.rest.authentication-enabled); for clients, the CA the REST server\'s certificate is verified against.'),
  'security.ssl.rest.authentication-enabled': option(bool, false, 'Mutual TLS on the REST port: a client must present a certificate signed by security.ssl.rest.ca, and one that does is authenticated (no token needed).'),
  'security.auth.token': option(optional(text), null, 'The client token (at least 16 characters): when set, the calls that change the cluster (submit, cancel, stop, savepoint) over gRPC and REST need "authorization: Bearer <token>". The CLI sends it. Prefer security.auth.token-file or the environment variable; never logged.'),
  'security.auth.token-file': option(optional(text), null, 'A file holding the client token (surrounding whitespace ignored), instead of security.auth.token.'),
  'security.auth.read-only-endpoints': option(oneOf(['open', 'authenticated']), 'open', 'With a client token: whether read-only views (REST GET /overview, /jobs, /metrics…, gRPC ListJobs, GetJob, ClusterOverview) are open or need the token too. /healthz, /readyz and the dashboard\'s files stay open.'),
} as const satisfies Record<string, ConfigOption<unknown>>;

export type ConfigKey = keyof typeof CONFIG_OPTIONS;

/** Keys a job may set for itself (`rivulet run --set key=value`); the rest are cluster settings. */
export const JOB_SCOPED_KEYS: readonly ConfigKey[] = [
  'parallelism.default',
  'pipeline.max-parallelism',
  'pipeline.object-reuse',
  'pipeline.auto-watermark-interval',
  'slot.request.timeout',
  'execution.checkpointing.interval',
  'restart-strategy.type',
  'restart-strategy.fixed-delay.attempts',
  'restart-strategy.fixed-delay.delay',
  'restart-strategy.failure-rate.max-failures-per-interval',
  'restart-strategy.failure-rate.failure-rate-interval',
  'restart-strategy.failure-rate.delay',
  'restart-strategy.exponential-delay.initial-backoff',
  'restart-strategy.exponential-delay.max-backoff',
  'restart-strategy.exponential-delay.backoff-multiplier',
  'restart-strategy.exponential-delay.reset-backoff-threshold',
  'restart-strategy.exponential-delay.jitter-factor',
  'restart-strategy.exponential-delay.attempts-before-reset-backoff',
  'jobmanager.execution.failover-strategy',
  'execution.checkpointing.timeout',
  'execution.checkpointing.min-pause',
  'execution.checkpointing.max-concurrent-checkpoints',
  'execution.checkpointing.tolerable-failed-checkpoints',
  'execution.checkpointing.mode',
  'execution.checkpointing.unaligned.enabled',
  'execution.checkpointing.num-retained',
  'execution.checkpointing.externalized-checkpoint-retention',
];
type ValueOf<O> = O extends ConfigOption<infer T> ? T : never;
export type ConfigValues = { readonly [K in ConfigKey]: ValueOf<(typeof CONFIG_OPTIONS)[K]> };

export const CONFIG_KEYS = Object.keys(CONFIG_OPTIONS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_OPTIONS, key);
}

/** `heartbeat.timeout` -> `RIVULET_HEARTBEAT_TIMEOUT`. */
export function environmentVariableOf(key: ConfigKey): string {
  return `RIVULET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
