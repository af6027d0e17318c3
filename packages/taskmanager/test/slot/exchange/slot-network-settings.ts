import type { SlotNetworkSettings } from '../../../src/protocol/slot-messages.js';

/** Settings of a slot's network stack for tests of its in-thread partitions and gates: no timer flush, no debloating. */
export function testSlotNetworkSettings(maxRecordsPerBuffer: number): SlotNetworkSettings {
  return {
    bufferSizeBytes: 32 * 1024,
    bufferTimeoutMs: -1,
    maxRecordsPerBuffer,
    maxQueuedBuffers: 1000,
    maxFrameBytes: 1 << 20,
    gateCredit: 2,
    debloat: undefined,
    initialCredit: 2,
    partitionRequestTimeoutMs: 1000,
    connectTimeoutMs: 1000,
    bindHost: '127.0.0.1',
    taskManagerData: { host: '127.0.0.1', port: 1 },
  };
}
