import { connectDataSocket } from './data-sockets.js';
import { DataConnectionError } from './errors.js';
import { FramedConnection } from './framed-connection.js';
import {
  encodeCredit, encodeFrame, encodeHello, encodePartitionRequest, type Frame, FrameType, MalformedFrame,
  type PartitionRequest, parseError, parseEvent, parseRedirect,
} from './frames.js';
import type { ChannelEvent } from './network-api.js';
import type { ResolvedNetworkOptions } from './options.js';
import type { NetworkCounters } from './stats.js';

/** The consumer's end of one channel, as the connection sees it. */
export interface ChannelEndpoint {
  /** A BUFFER arrived; throwing MalformedFrame (e.g. a buffer without credit) closes the connection. */
  onBuffer(payload: Buffer): void;
  onEvent(event: ChannelEvent): void;
  /** The producer failed the channel; the channel is already forgotten by the connection. */
  onRemoteError(message: string): void;
  /** The connection is gone; the error names the peer. */
  onConnectionFailed(error: DataConnectionError): void;
  /** The producer serves the channel's partition on `port` of the same host; the channel is already forgotten here. */
  onRedirect(port: number): void;
}

const ACCEPTED = new Set<number>([FrameType.BUFFER, FrameType.EVENT, FrameType.ERROR, FrameType.REDIRECT]);

/**
 * The consumer's side of the one data connection to a producer TaskManager:
 * multiplexes every channel this TaskManager reads from that TaskManager.
 *
 * Invariants: channel ids are unique and increasing on the connection;
 * frames for a channel that ended are dropped, frames for a channel never
 * opened close the connection; when the connection fails every open channel
 * is told once, with an error naming the peer, and the connection is not
 * used again (the manager opens a new one for later requests).
 */
export class ClientConnection {
  readonly address: string;
  private readonly connection: FramedConnection;
  private readonly channels = new Map<number, ChannelEndpoint>();
  private nextChannel = 1;
  private failure: DataConnectionError | undefined;

  constructor(
    host: string,
    port: number,
    private readonly options: ResolvedNetworkOptions,
    private readonly counters: NetworkCounters,
    private readonly closed: (connection: ClientConnection) => void,
  ) {
    this.address = `${host}:${port}`;
    const { socket, connected } = connectDataSocket(host, port, options.tls);
    socket.setTimeout(options.connectTimeoutMs, () => {
      socket.destroy(new Error(`connect timed out after ${options.connectTimeoutMs} ms`));
    });
    socket.once(connected, () => socket.setTimeout(0));
    socket.setKeepAlive(true, 10_000);
    this.connection = new FramedConnection({
      socket,
      peer: this.address,
      description: `data connection to ${this.address}`,
      maxFrameBytes: options.maxFrameBytes,
      log: options.log,
      accepts: ACCEPTED,
      onFrame: (frame) => this.onFrame(frame),
      onDrain: () => undefined,
      onClosed: (error) => this.onClosed(error),
      idle: () => this.channels.size === 0,
    });
    this.connection.write(encodeHello());
  }

  get isOpen(): boolean {
    return this.failure === undefined && this.connection.isOpen;
  }

  get openChannels(): number {
    return this.channels.size;
  }

  /** Opens a channel: sends its PARTITION_REQUEST and returns its id. */
  open(endpoint: ChannelEndpoint, request: PartitionRequest): number {
    if (this.failure !== undefined) throw this.failure;
    const channel = this.nextChannel;
    this.nextChannel += 1;
    this.channels.set(channel, endpoint);
    this.connection.write(encodePartitionRequest(channel, request));
    return channel;
  }

  addCredit(channel: number, credit: number): void {
    if (this.channels.has(channel)) this.connection.write(encodeCredit(channel, credit));
  }

  /** The consumer gives the channel up before its end. */
  cancel(channel: number): void {
    if (this.channels.delete(channel)) this.connection.write(encodeFrame(FrameType.CANCEL, channel));
  }

  /** end-of-partition arrived: tells the producer everything was received. */
  close(channel: number): void {
    if (this.channels.delete(channel)) this.connection.write(encodeFrame(FrameType.CLOSE, channel));
  }

  destroy(): void {
    this.connection.close();
  }

  private onFrame(frame: Frame): void {
    const endpoint = this.channels.get(frame.channel);
    if (endpoint === undefined) {
      if (frame.channel === 0 || frame.channel >= this.nextChannel) throw new MalformedFrame(`frame for channel ${frame.channel}, which this side never opened`);
      return;
    }
    switch (frame.type) {
      case FrameType.BUFFER:
        this.counters.buffersReceived += 1;
        this.counters.bytesReceived += frame.payload.length;
        return endpoint.onBuffer(frame.payload);
      case FrameType.EVENT:
        return endpoint.onEvent(parseEvent(frame.payload));
      case FrameType.REDIRECT: {
        const port = parseRedirect(frame.payload);
        this.channels.delete(frame.channel);
        return endpoint.onRedirect(port);
      }
      default:
        this.channels.delete(frame.channel);
        return endpoint.onRemoteError(parseError(frame.payload));
    }
  }

  private onClosed(error: DataConnectionError | undefined): void {
    this.failure = error ?? new DataConnectionError(this.address, `data connection to ${this.address} was closed by this TaskManager`);
    this.closed(this);
    const endpoints = [...this.channels.values()];
    this.channels.clear();
    for (const endpoint of endpoints) endpoint.onConnectionFailed(this.failure);
  }
}
