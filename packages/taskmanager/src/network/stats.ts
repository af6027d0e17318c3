/** Running totals kept by one NetworkEnvironment (mutable, shared by its parts). */
export interface NetworkCounters {
  buffersSent: number;
  bytesSent: number;
  buffersReceived: number;
  bytesReceived: number;
  /** Connections the data server refused during the TLS handshake. */
  refusedTls: number;
  /** Connections the data server closed for bad frames (garbage, truncated or oversized input). */
  refusedProtocol: number;
  /** Connections the data server closed for sending no HELLO, or not completing a frame, within the frame timeout. */
  refusedTimeout: number;
}

export function newCounters(): NetworkCounters {
  return { buffersSent: 0, bytesSent: 0, buffersReceived: 0, bytesReceived: 0, refusedTls: 0, refusedProtocol: 0, refusedTimeout: 0 };
}

/** A snapshot of one NetworkEnvironment, for metrics, tests and benchmarks. */
export interface NetworkStats {
  readonly connections: {
    /** Open connections this TaskManager opened to producers' TaskManagers. */
    readonly outgoing: number;
    /** Open connections consumers' TaskManagers opened to this one. */
    readonly incoming: number;
    /** Connections ever accepted by the data server. */
    readonly acceptedTotal: number;
    /** Connections the data server refused: in the TLS handshake, and for protocol errors. */
    readonly refused: { readonly tls: number; readonly protocol: number; readonly timeout: number };
  };
  readonly producer: {
    readonly partitions: number;
    /** Full batches waiting in subpartition queues (not counting batches being filled). */
    readonly queuedBuffers: number;
    /** Serialized bytes among them (batches for local consumers are not serialized and count 0). */
    readonly queuedBytes: number;
    /** Bytes written to sockets but not yet taken by the kernel. */
    readonly socketBufferedBytes: number;
    readonly buffersSent: number;
    /** Payload bytes of the buffers sent (frame headers not counted), as the consumers count them received. */
    readonly bytesSent: number;
  };
  readonly consumer: {
    readonly gates: number;
    /** Received buffers not yet polled by tasks. */
    readonly queuedBuffers: number;
    readonly queuedBytes: number;
    readonly buffersReceived: number;
    readonly bytesReceived: number;
  };
}
