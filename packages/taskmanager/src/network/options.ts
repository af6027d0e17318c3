import { ConfigurationError, type Logger } from '@rivulet/common/task-runtime';
import type { TlsMaterial } from '@rivulet/common/task-runtime';

/**
 * Options of a TaskManager's network stack. Flink's names where the concept is
 * the same: `bufferSizeBytes` ≈ taskmanager.memory.segment-size, `bufferTimeoutMs`
 * = execution.buffer-timeout, `initialCredit` ≈ taskmanager.network.memory.buffers-per-channel.
 */
export interface NetworkEnvironmentOptions {
  readonly log: Logger;
  /** This TaskManager's id, for logs. */
  readonly resourceId: string;
  /** Target serialized size of one buffer (a batch of records). @default 32768 */
  readonly bufferSizeBytes?: number;
  /**
   * Longest time a record waits in a partly filled batch. 0 sends every
   * record at once; -1 disables the timer (batches leave when full, on
   * `flushAll()` or before an event). @default 100
   */
  readonly bufferTimeoutMs?: number;
  /** Cap on records per batch, whatever their size (and the batch size of local channels). @default 2048 */
  readonly maxRecordsPerBuffer?: number;
  /** Buffers a remote consumer grants each channel: the most in flight or unread per channel. @default 4 */
  readonly initialCredit?: number;
  /** Full batches a subpartition queues before its writer reports unavailable. @default 4 */
  readonly maxQueuedBuffersPerSubpartition?: number;
  /** How long a request waits for a partition not yet created before it fails. @default 30000 */
  readonly partitionRequestTimeoutMs?: number;
  /** Largest frame accepted or sent; a longer length prefix closes the connection. @default 67108864 (64 MiB) */
  readonly maxFrameBytes?: number;
  /** Bound on opening a data connection. @default 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * The data server closes a connection that sends no HELLO, or does not
   * complete a frame it began, within one to two of this
   * (taskmanager.network.frame-timeout). @default 30000
   */
  readonly frameTimeoutMs?: number;
  /**
   * Where channels marked `local` (producer in this TaskManager) are
   * requested when this environment does not hold their partitions itself:
   * the TaskManager's data server, which redirects to the slot thread that
   * serves them. Undefined: local channels read this environment's partitions.
   */
  readonly localPeer?: { readonly host: string; readonly port: number };
  /** Internal TLS: the data server and every connection use mutual TLS with this material. Undefined: plaintext. */
  readonly tls?: TlsMaterial | undefined;
}

export interface ResolvedNetworkOptions {
  readonly log: Logger;
  readonly resourceId: string;
  readonly bufferSizeBytes: number;
  readonly bufferTimeoutMs: number;
  readonly maxRecordsPerBuffer: number;
  readonly initialCredit: number;
  readonly maxQueuedBuffersPerSubpartition: number;
  readonly partitionRequestTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  readonly frameTimeoutMs: number;
  readonly localPeer: { readonly host: string; readonly port: number } | undefined;
  readonly tls: TlsMaterial | undefined;
}

export const NETWORK_DEFAULTS = {
  bufferSizeBytes: 32 * 1024,
  bufferTimeoutMs: 100,
  maxRecordsPerBuffer: 2048,
  initialCredit: 4,
  maxQueuedBuffersPerSubpartition: 4,
  partitionRequestTimeoutMs: 30_000,
  maxFrameBytes: 64 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  frameTimeoutMs: 30_000,
} as const;

/** Fills defaults and rejects impossible values, naming the option. */
export function resolveNetworkOptions(options: NetworkEnvironmentOptions): ResolvedNetworkOptions {
  const pick = (key: keyof typeof NETWORK_DEFAULTS, min: number): number => {
    const value = options[key] ?? NETWORK_DEFAULTS[key];
    if (!Number.isInteger(value) || value < min) {
      throw new ConfigurationError(`network option ${key} must be an integer >= ${min}, got ${String(value)}`, { key });
    }
    return value;
  };
  const resolved: ResolvedNetworkOptions = {
    log: options.log,
    resourceId: options.resourceId,
    bufferSizeBytes: pick('bufferSizeBytes', 64),
    bufferTimeoutMs: pick('bufferTimeoutMs', -1),
    maxRecordsPerBuffer: pick('maxRecordsPerBuffer', 1),
    initialCredit: pick('initialCredit', 1),
    maxQueuedBuffersPerSubpartition: pick('maxQueuedBuffersPerSubpartition', 1),
    partitionRequestTimeoutMs: pick('partitionRequestTimeoutMs', 1),
    maxFrameBytes: pick('maxFrameBytes', 1024),
    connectTimeoutMs: pick('connectTimeoutMs', 1),
    frameTimeoutMs: pick('frameTimeoutMs', 1),
    localPeer: options.localPeer,
    tls: options.tls,
  };
  if (resolved.bufferSizeBytes > resolved.maxFrameBytes) {
    throw new ConfigurationError('network option bufferSizeBytes must not exceed maxFrameBytes', { key: 'bufferSizeBytes' });
  }
  return resolved;
}
