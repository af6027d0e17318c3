import { IllegalStateError, type Logger } from '@rivulet/common/task-runtime';
import { PartitionRequestError, UnserializableRecordError } from './errors.js';
import type { ResultPartitionId } from './network-api.js';
import type { ResultPartition } from './result-partition.js';
import type { Subpartition, SubpartitionReader } from './subpartition.js';

export interface SubpartitionRequest {
  readonly partitionId: ResultPartitionId;
  readonly subpartitionIndex: number;
  readonly reader: SubpartitionReader;
  /** The reader is attached; it should look for queued data now. */
  readonly onAttached: (subpartition: Subpartition) => void;
  /** The request cannot be served; the error names the partition. */
  readonly onFailed: (error: Error) => void;
  /**
   * The partition is served by another data server of this host (a slot
   * thread's, on `port`); absent for a reader that cannot follow (it fails).
   */
  readonly onRedirect?: (port: number) => void;
}

/** A request waiting for its partition; cancel it when the consumer goes away first. */
export interface PendingRequest {
  cancel(): void;
}

interface Waiting {
  readonly request: SubpartitionRequest;
  readonly timer: NodeJS.Timeout;
}

const attemptPrefix = (jobId: string, attempt: number): string => `${jobId}/${attempt}/`;
const attemptOf = (id: ResultPartitionId): string => id.split('/', 2).join('/') + '/';

/**
 * The registry of this TaskManager's result partitions, and the place where
 * consumers (local channels and remote requests alike) find them.
 *
 * Invariants: every request is answered exactly once — attached, or failed
 * with an error naming the partition: at once when the partition is gone
 * (released, fully consumed, its job attempt released), or after
 * `requestTimeoutMs` when it was never created. A request that arrives before
 * its partition exists waits; creating the partition serves it. A partition
 * registered as served elsewhere (by a slot thread's own data server) is
 * answered with a redirect to that server's port, which the consumer follows.
 */
export class PartitionManager {
  private readonly partitions = new Map<ResultPartitionId, ResultPartition>();
  /** Partitions served by another data server of this host, by the port of that server. */
  private readonly elsewhere = new Map<ResultPartitionId, number>();
  private readonly waiting = new Map<ResultPartitionId, Set<Waiting>>();
  /** Partitions that existed and are gone, with why (forgotten when their job attempt is released). */
  private readonly retired = new Map<ResultPartitionId, string>();
  private readonly releasedAttempts = new Set<string>();

  constructor(
    private readonly requestTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.partitions.size;
  }

  all(): IterableIterator<ResultPartition> {
    return this.partitions.values();
  }

  /** Partitions registered as served elsewhere. */
  get elsewhereSize(): number {
    return this.elsewhere.size;
  }

  register(partition: ResultPartition): void {
    const { id } = partition;
    this.checkNew(id);
    this.partitions.set(id, partition);
    for (const request of this.takeWaiting(id)) this.serve(partition, request);
  }

  /** The partition is served by the data server on `port` of this host: its requests are redirected there. */
  registerElsewhere(id: ResultPartitionId, port: number): void {
    this.checkNew(id);
    this.elsewhere.set(id, port);
    for (const request of this.takeWaiting(id)) redirect(request, port);
  }

  /** A partition served elsewhere is gone (consumed, released, or its slot thread ended), with why. */
  retireElsewhere(id: ResultPartitionId, why: string): void {
    if (!this.elsewhere.delete(id)) return;
    this.retired.set(id, why);
  }

  private checkNew(id: ResultPartitionId): void {
    if (this.partitions.has(id) || this.elsewhere.has(id) || this.retired.has(id)) throw new IllegalStateError(`result partition ${id} already exists`);
    if (this.releasedAttempts.has(attemptOf(id))) throw new IllegalStateError(`result partition ${id} belongs to a released job attempt`);
  }

  private takeWaiting(id: ResultPartitionId): SubpartitionRequest[] {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return [];
    this.waiting.delete(id);
    return [...waiting].map((entry) => {
      clearTimeout(entry.timer);
      return entry.request;
    });
  }

  /** The partition is released, failed or fully consumed. */
  retire(partition: ResultPartition, why: string): void {
    if (this.partitions.get(partition.id) !== partition) return;
    this.partitions.delete(partition.id);
    this.retired.set(partition.id, why);
  }

  /** Returns a handle while the request waits for its partition, undefined once it was answered. */
  request(request: SubpartitionRequest): PendingRequest | undefined {
    const { partitionId, subpartitionIndex } = request;
    const partition = this.partitions.get(partitionId);
    if (partition !== undefined) {
      this.serve(partition, request);
      return undefined;
    }
    const port = this.elsewhere.get(partitionId);
    if (port !== undefined) {
      redirect(request, port);
      return undefined;
    }
    const gone = this.retired.get(partitionId) ?? (this.releasedAttempts.has(attemptOf(partitionId)) ? 'its job attempt was released' : undefined);
    if (gone !== undefined) {
      request.onFailed(new PartitionRequestError(partitionId, subpartitionIndex, 'released', `partition ${partitionId} is gone: ${gone}`));
      return undefined;
    }
    const entries = this.waiting.get(partitionId) ?? new Set<Waiting>();
    this.waiting.set(partitionId, entries);
    const timer = setTimeout(() => {
      entries.delete(entry);
      if (entries.size === 0) this.waiting.delete(partitionId);
      this.log.warn({ partitionId, subpartitionIndex, timeoutMs: this.requestTimeoutMs }, 'Partition request timed out');
      request.onFailed(
        new PartitionRequestError(partitionId, subpartitionIndex, 'timeout', `partition ${partitionId} was not created within ${this.requestTimeoutMs} ms of the request for its subpartition ${subpartitionIndex}`),
      );
    }, this.requestTimeoutMs);
    timer.unref();
    const entry: Waiting = { request, timer };
    entries.add(entry);
    return {
      cancel: () => {
        clearTimeout(timer);
        entries.delete(entry);
        if (entries.size === 0 && this.waiting.get(partitionId) === entries) this.waiting.delete(partitionId);
      },
    };
  }

  /** Releases every partition of the attempt and fails its waiting requests. */
  releaseJob(jobId: string, attempt: number): void {
    const prefix = attemptPrefix(jobId, attempt);
    this.releasedAttempts.add(prefix);
    const reason = new Error(`job ${jobId} attempt ${attempt} was released`);
    for (const partition of [...this.partitions.values()]) if (partition.id.startsWith(prefix)) partition.release(reason);
    for (const id of [...this.elsewhere.keys()]) if (id.startsWith(prefix)) this.elsewhere.delete(id);
    for (const id of [...this.retired.keys()]) if (id.startsWith(prefix)) this.retired.delete(id);
    for (const [id, entries] of [...this.waiting]) {
      if (!id.startsWith(prefix)) continue;
      this.waiting.delete(id);
      for (const { request, timer } of entries) {
        clearTimeout(timer);
        request.onFailed(new PartitionRequestError(id, request.subpartitionIndex, 'released', `partition ${id} is gone: ${reason.message}`));
      }
    }
  }

  /** Fails every waiting request (the environment stops). */
  failAllWaiting(reason: string): void {
    for (const [id, entries] of this.waiting) {
      for (const { request, timer } of entries) {
        clearTimeout(timer);
        request.onFailed(new PartitionRequestError(id, request.subpartitionIndex, 'released', `partition ${id} is gone: ${reason}`));
      }
    }
    this.waiting.clear();
  }

  private serve(partition: ResultPartition, request: SubpartitionRequest): void {
    const subpartition = partition.subpartitions[request.subpartitionIndex];
    if (subpartition === undefined) {
      request.onFailed(
        new PartitionRequestError(partition.id, request.subpartitionIndex, 'no-such-subpartition', `partition ${partition.id} has ${partition.numberOfSubpartitions} subpartitions, not ${request.subpartitionIndex + 1}`),
      );
      return;
    }
    try {
      subpartition.attach(request.reader);
    } catch (error) {
      // UnserializableRecordError has already failed the partition; the consumer learns why.
      if (!(error instanceof PartitionRequestError) && !(error instanceof UnserializableRecordError)) throw error;
      request.onFailed(error);
      return;
    }
    request.onAttached(subpartition);
  }
}

function redirect(request: SubpartitionRequest, port: number): void {
  if (request.onRedirect !== undefined) return request.onRedirect(port);
  request.onFailed(
    new PartitionRequestError(request.partitionId, request.subpartitionIndex, 'released', `partition ${request.partitionId} is served by the data server on port ${port}, which this reader cannot follow`),
  );
}
