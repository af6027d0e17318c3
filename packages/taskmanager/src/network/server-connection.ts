import type { Socket } from 'node:net';
import { DataConnectionError, ProtocolError } from './errors.js';
import { FramedConnection } from './framed-connection.js';
import {
  encodeError, encodeRedirect, expectEmpty, type Frame, FRAME_TYPE_NAMES, FrameType, HEADER_BYTES, MalformedFrame,
  parseCredit, parseHello, parsePartitionRequest,
} from './frames.js';
import { Deque } from './deque.js';
import type { ResolvedNetworkOptions } from './options.js';
import type { PartitionManager, PendingRequest } from './partition-manager.js';
import { type ReaderHost, RemoteSubpartitionReader } from './remote-subpartition-reader.js';
import type { NetworkCounters } from './stats.js';

const ACCEPTED = new Set<number>([FrameType.HELLO, FrameType.PARTITION_REQUEST, FrameType.ADD_CREDIT, FrameType.CANCEL, FrameType.CLOSE]);

export interface ServerConnectionDeps {
  readonly partitions: PartitionManager;
  readonly options: ResolvedNetworkOptions;
  readonly counters: NetworkCounters;
  readonly closed: (connection: ServerConnection) => void;
  /** The socket buffer the sender may fill (the data server's high-water mark). */
  readonly writeHighWaterMark: number;
}

/**
 * The producer's side of one data connection (a consumer TaskManager
 * connected to us): serves its partition requests and sends the frames of
 * every channel on it.
 *
 * Invariants: channels are served round-robin, one frame each per turn, so
 * one busy channel cannot starve the others; nothing is written while the
 * socket is above its high-water mark (resumed on 'drain'); when the
 * connection breaks, every subpartition it was reading is released and every
 * request it was waiting on is cancelled.
 */
export class ServerConnection implements ReaderHost {
  private readonly connection: FramedConnection;
  private readonly readers = new Map<number, RemoteSubpartitionReader>();
  private readonly waiting = new Map<number, PendingRequest>();
  private readonly ready = new Deque<RemoteSubpartitionReader>();
  private helloReceived = false;
  /** Frames received at the previous stall check. */
  private framesAtLastCheck = -1;
  private highestChannel = 0;
  private pumping = false;

  constructor(
    socket: Socket,
    private readonly deps: ServerConnectionDeps,
  ) {
    const peer = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    socket.setKeepAlive(true, 10_000);
    this.connection = new FramedConnection({
      socket,
      peer,
      description: `data connection from ${peer}`,
      maxFrameBytes: deps.options.maxFrameBytes,
      log: deps.options.log,
      accepts: ACCEPTED,
      onFrame: (frame) => this.onFrame(frame),
      onDrain: () => this.pump(),
      onClosed: (error) => this.onClosed(error),
      idle: () => this.readers.size === 0 && this.waiting.size === 0,
      ...(socket.writableHighWaterMark < deps.writeHighWaterMark ? { writeHighWaterMark: deps.writeHighWaterMark } : {}),
    });
  }

  get peer(): string {
    return this.connection.peer;
  }

  get socketBufferedBytes(): number {
    return this.connection.bufferedBytes;
  }

  close(): void {
    this.connection.close();
  }

  /**
   * Called every frame timeout by the data server: a connection that has not
   * sent its HELLO, or is in the middle of a frame, and received no frame
   * since the previous check is a stalled or slow-dripping peer, closed with
   * a ProtocolError (counted as a timeout). Idle connections between frames
   * are left alone. Costs nothing per frame but a counter.
   */
  checkStalled(timeoutMs: number): void {
    const frames = this.connection.framesSoFar;
    const waiting = !this.helloReceived || this.connection.partialFrameBytes > 0;
    const stalled = waiting && frames === this.framesAtLastCheck;
    this.framesAtLastCheck = frames;
    if (!stalled) return;
    const what = this.helloReceived ? `completed no frame (${this.connection.partialFrameBytes} bytes of one)` : 'sent no HELLO';
    this.stalled = true;
    this.connection.fail(new ProtocolError(this.peer, `data connection from ${this.peer} ${what} within ${timeoutMs} ms: a stalled or too slow peer (taskmanager.network.frame-timeout)`));
  }

  /** Closed by checkStalled. */
  private stalled = false;

  readerReady(reader: RemoteSubpartitionReader): void {
    if (reader.inReadyQueue || !reader.isReady()) return;
    reader.inReadyQueue = true;
    this.ready.push(reader);
    this.pump();
  }

  readerReleased(reader: RemoteSubpartitionReader, error: Error): void {
    if (this.readers.get(reader.channel) !== reader) return;
    this.readers.delete(reader.channel);
    this.connection.write(encodeError(reader.channel, error.message));
  }

  /** Writes frames round-robin over ready channels while the socket takes them. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.connection.writable) {
        const reader = this.ready.shift();
        if (reader === undefined) break;
        reader.inReadyQueue = false;
        const frame = reader.nextFrame();
        if (frame !== undefined) {
          this.connection.write(frame);
          if (frame[4] === FrameType.BUFFER) {
            this.deps.counters.buffersSent += 1;
            this.deps.counters.bytesSent += frame.length - HEADER_BYTES; // the payload, as the consumer counts it
          }
        }
        if (reader.isReady()) {
          reader.inReadyQueue = true;
          this.ready.push(reader);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private onFrame(frame: Frame): void {
    if (!this.helloReceived) {
      if (frame.type !== FrameType.HELLO) throw new MalformedFrame(`expected HELLO as the first frame, got ${FRAME_TYPE_NAMES[frame.type]}`);
      parseHello(frame.payload);
      this.helloReceived = true;
      return;
    }
    switch (frame.type) {
      case FrameType.PARTITION_REQUEST:
        return this.onPartitionRequest(frame);
      case FrameType.ADD_CREDIT: {
        const credit = parseCredit(frame.payload);
        const reader = this.readers.get(frame.channel);
        if (reader !== undefined) reader.addCredit(credit);
        else this.checkKnownChannel(frame);
        return;
      }
      case FrameType.CANCEL:
      case FrameType.CLOSE:
        return this.onChannelEnd(frame);
      default:
        throw new MalformedFrame(`unexpected ${FRAME_TYPE_NAMES[frame.type]} frame after HELLO`);
    }
  }

  private onPartitionRequest(frame: Frame): void {
    const { channel } = frame;
    if (channel <= this.highestChannel) throw new MalformedFrame(`PARTITION_REQUEST reuses channel id ${channel}`);
    this.highestChannel = channel;
    const request = parsePartitionRequest(frame.payload);
    const reader = new RemoteSubpartitionReader(channel, request.partitionId, request.subpartitionIndex, request.credit, this);
    this.readers.set(channel, reader);
    const pending = this.deps.partitions.request({
      partitionId: request.partitionId,
      subpartitionIndex: request.subpartitionIndex,
      reader,
      onAttached: (subpartition) => {
        this.waiting.delete(channel);
        reader.subpartition = subpartition;
        this.readerReady(reader);
      },
      onFailed: (error) => {
        this.waiting.delete(channel);
        this.readers.delete(channel);
        this.connection.write(encodeError(channel, error.message));
      },
      onRedirect: (port) => {
        this.waiting.delete(channel);
        this.readers.delete(channel);
        this.connection.write(encodeRedirect(channel, port));
      },
    });
    if (pending !== undefined) this.waiting.set(channel, pending);
  }

  /** CANCEL: the consumer gives up. CLOSE: it received end-of-partition. */
  private onChannelEnd(frame: Frame): void {
    expectEmpty(frame);
    const { channel } = frame;
    this.waiting.get(channel)?.cancel();
    this.waiting.delete(channel);
    const reader = this.readers.get(channel);
    if (reader === undefined) return this.checkKnownChannel(frame);
    this.readers.delete(channel);
    const subpartition = reader.subpartition;
    reader.subpartition = undefined;
    if (frame.type === FrameType.CLOSE && reader.sentEndOfPartition) subpartition?.markConsumed();
    else subpartition?.releaseByConsumer(new DataConnectionError(this.peer, `the consumer at ${this.peer} cancelled its channel`));
  }

  private checkKnownChannel(frame: Frame): void {
    // Frames for a channel that ended are normal (they crossed our ERROR); for one never opened they are not.
    if (frame.channel === 0 || frame.channel > this.highestChannel) {
      throw new MalformedFrame(`${FRAME_TYPE_NAMES[frame.type]} for channel ${frame.channel}, which was never requested`);
    }
  }

  private onClosed(error: DataConnectionError | undefined): void {
    const reason = error ?? new DataConnectionError(this.peer, `data connection from ${this.peer} was closed by this TaskManager`);
    if (this.stalled) this.deps.counters.refusedTimeout += 1;
    else if (error instanceof ProtocolError) this.deps.counters.refusedProtocol += 1;
    for (const pending of this.waiting.values()) pending.cancel();
    this.waiting.clear();
    for (const reader of this.readers.values()) {
      const subpartition = reader.subpartition;
      reader.subpartition = undefined;
      subpartition?.releaseByConsumer(reason, error !== undefined);
    }
    this.readers.clear();
    this.ready.clear();
    this.deps.closed(this);
  }
}
