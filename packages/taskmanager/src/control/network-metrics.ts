import { Gauge, type Registry } from '@rivulet/common';
import type { NetworkStats } from '../network/index.js';

/**
 * The TaskManager's data exchange (docs/network.md) as gauges read at every
 * scrape, named after Flink's task I/O metrics summed over the TaskManager:
 * bytes and buffers out and in over TCP, buffers queued on both sides (a
 * growing output queue with a full input queue downstream is backpressure),
 * and open connections. Flink's Prometheus reporter exports its counters as
 * gauges too. Zero before the network has started.
 */
const PREFIX = 'rivulet_taskmanager_Shuffle_';

export function registerNetworkMetrics(registry: Registry, stats: () => NetworkStats | undefined): void {
  const gauge = (name: string, help: string, read: (s: NetworkStats) => number): void => {
    new Gauge({
      name: PREFIX + name,
      help,
      registers: [registry],
      collect() {
        const current = stats();
        this.set(current === undefined ? 0 : read(current));
      },
    });
  };
  gauge('numBytesOut', 'Serialized bytes this TaskManager\'s slots sent to consumers in other slots (of this or other TaskManagers).', (s) => s.producer.bytesSent);
  gauge('numBuffersOut', 'Buffers (batches of records) this TaskManager\'s slots sent to consumers in other slots.', (s) => s.producer.buffersSent);
  gauge('numBytesInRemote', 'Serialized bytes received from producers in other slots.', (s) => s.consumer.bytesReceived);
  gauge('numBuffersInRemote', 'Buffers received from producers in other slots.', (s) => s.consumer.buffersReceived);
  gauge('outputQueueLength', 'Full buffers waiting in this TaskManager\'s result subpartitions for their consumers.', (s) => s.producer.queuedBuffers);
  gauge('inputQueueLength', 'Received buffers not yet taken by this TaskManager\'s tasks.', (s) => s.consumer.queuedBuffers);
  new Gauge({
    name: PREFIX + 'refusedConnections',
    help: 'Data connections the data port and the slots\' data servers refused, by reason: tls (handshake failed: plaintext, no or an untrusted certificate, too slow), protocol (garbage, truncated or oversized frames) and timeout (no HELLO, or a frame begun and not completed, within taskmanager.network.frame-timeout).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const current = stats();
      this.set({ reason: 'tls' }, current?.connections.refused.tls ?? 0);
      this.set({ reason: 'protocol' }, current?.connections.refused.protocol ?? 0);
      this.set({ reason: 'timeout' }, current?.connections.refused.timeout ?? 0);
    },
  });
  new Gauge({
    name: PREFIX + 'connections',
    help: 'Open data connections, by direction: outgoing (to producers) and incoming (from consumers).',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      const current = stats();
      this.set({ direction: 'outgoing' }, current?.connections.outgoing ?? 0);
      this.set({ direction: 'incoming' }, current?.connections.incoming ?? 0);
    },
  });
}
