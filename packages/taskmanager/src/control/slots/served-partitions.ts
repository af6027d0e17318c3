import type { Logger } from '@rivulet/common';
import type { TcpNetworkEnvironment } from '../../network/tcp-network-environment.js';
import type { FromSlot } from '../../protocol/slot-messages.js';

/**
 * The partitions one slot thread serves from its own data server, as the
 * TaskManager's data port knows them: a consumer's request that reaches the
 * data port is redirected to the slot's port (network/partition-manager.ts).
 *
 * Invariant: once the thread ended (`releaseAll`), every partition it still
 * served is retired with the thread's end as the reason, so a late request
 * fails at once naming the cause instead of waiting for the request timeout.
 */
export class ServedPartitions {
  private readonly served = new Set<string>();

  constructor(
    private readonly network: TcpNetworkEnvironment,
    private readonly log: Logger,
  ) {}

  /** Returns false when `message` is not about served partitions. */
  handle(message: FromSlot): boolean {
    if (message.kind === 'partition-served') {
      try {
        this.network.serveElsewhere(message.partitionId, message.port);
        this.served.add(message.partitionId);
      } catch (error) {
        this.log.warn({ partitionId: message.partitionId, err: (error as Error).message }, 'a slot serves a partition the data port cannot redirect to');
      }
      return true;
    }
    if (message.kind === 'partition-unserved') {
      if (this.served.delete(message.partitionId)) this.network.retireElsewhere(message.partitionId, message.why);
      return true;
    }
    return false;
  }

  /** The slot's thread is gone: its partitions with it. */
  releaseAll(reason: string): void {
    for (const partitionId of this.served) this.network.retireElsewhere(partitionId, reason);
    this.served.clear();
  }
}
