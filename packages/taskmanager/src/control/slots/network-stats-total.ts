import type { NetworkStats } from '../../network/stats.js';

type Counts = { buffersSent: number; bytesSent: number; buffersReceived: number; bytesReceived: number; acceptedTotal: number; refusedTls: number; refusedProtocol: number; refusedTimeout: number };

/**
 * The TaskManager's data exchange as one NetworkStats: the control thread's
 * data port (which only redirects) plus the latest report of every slot
 * thread's network stack. Cumulative counts never go down: those of a slot
 * thread that ended are kept.
 */
export class NetworkStatsTotal {
  private readonly latest = new Map<object, NetworkStats>();
  private readonly ended: Counts = { buffersSent: 0, bytesSent: 0, buffersReceived: 0, bytesReceived: 0, acceptedTotal: 0, refusedTls: 0, refusedProtocol: 0, refusedTimeout: 0 };

  record(thread: object, stats: NetworkStats): void {
    this.latest.set(thread, stats);
  }

  /** The thread ended: its last cumulative counts stay in the total. */
  forget(thread: object): void {
    const last = this.latest.get(thread);
    if (last === undefined) return;
    this.latest.delete(thread);
    this.ended.buffersSent += last.producer.buffersSent;
    this.ended.bytesSent += last.producer.bytesSent;
    this.ended.buffersReceived += last.consumer.buffersReceived;
    this.ended.bytesReceived += last.consumer.bytesReceived;
    this.ended.acceptedTotal += last.connections.acceptedTotal;
    this.ended.refusedTls += last.connections.refused.tls;
    this.ended.refusedProtocol += last.connections.refused.protocol;
    this.ended.refusedTimeout += last.connections.refused.timeout;
  }

  total(dataPort: NetworkStats | undefined): NetworkStats {
    const all = dataPort === undefined ? [...this.latest.values()] : [dataPort, ...this.latest.values()];
    const sum = (read: (s: NetworkStats) => number): number => all.reduce((total, s) => total + read(s), 0);
    return {
      connections: {
        outgoing: sum((s) => s.connections.outgoing),
        incoming: sum((s) => s.connections.incoming),
        acceptedTotal: this.ended.acceptedTotal + sum((s) => s.connections.acceptedTotal),
        refused: {
          tls: this.ended.refusedTls + sum((s) => s.connections.refused.tls),
          protocol: this.ended.refusedProtocol + sum((s) => s.connections.refused.protocol),
          timeout: this.ended.refusedTimeout + sum((s) => s.connections.refused.timeout),
        },
      },
      producer: {
        partitions: sum((s) => s.producer.partitions),
        queuedBuffers: sum((s) => s.producer.queuedBuffers),
        queuedBytes: sum((s) => s.producer.queuedBytes),
        socketBufferedBytes: sum((s) => s.producer.socketBufferedBytes),
        buffersSent: this.ended.buffersSent + sum((s) => s.producer.buffersSent),
        bytesSent: this.ended.bytesSent + sum((s) => s.producer.bytesSent),
      },
      consumer: {
        gates: sum((s) => s.consumer.gates),
        queuedBuffers: sum((s) => s.consumer.queuedBuffers),
        queuedBytes: sum((s) => s.consumer.queuedBytes),
        buffersReceived: this.ended.buffersReceived + sum((s) => s.consumer.buffersReceived),
        bytesReceived: this.ended.bytesReceived + sum((s) => s.consumer.bytesReceived),
      },
    };
  }
}
