import type { ChannelEndpoint, ClientConnection } from './client-connection.js';
import type { ConnectionManager } from './connection-manager.js';
import { Deque } from './deque.js';
import { DataConnectionError, ProtocolError, RemoteChannelError } from './errors.js';
import { MalformedFrame } from './frames.js';
import type { ChannelEntry, GateCallbacks, InputChannel } from './input-channel.js';
import type { ChannelEvent, InputChannelDescriptor } from './network-api.js';
import { batchEntry, decodeBatch, type DecodedBatch } from './record-serializer.js';

type Received = { readonly payload: Buffer } | { readonly event: ChannelEvent };

/**
 * A channel whose producer runs in another TaskManager, over the shared
 * connection to it.
 *
 * Credit: the channel grants `initialCredit` buffers with its request and one
 * more each time the task takes a buffer, so at most `initialCredit` buffers
 * are ever in flight or waiting here — that bounds the consumer's memory and,
 * once used up, stops the producer. A BUFFER beyond the granted credit is a
 * protocol violation and closes the connection. Buffers are decoded when
 * taken (the queue holds compact bytes, not objects).
 */
export class RemoteInputChannel implements InputChannel, ChannelEndpoint {
  inRing = false;
  private readonly queue = new Deque<Received>();
  private bytes = 0;
  private connection: ClientConnection | undefined;
  private channelId = 0;
  /** Credit the producer holds: buffers it may still send. */
  private outstandingCredit = 0;
  private state: 'idle' | 'open' | 'ended' | 'failed' | 'closed' = 'idle';
  private peer: string;
  /** Where the partition is requested: the descriptor's address, then the one a REDIRECT named. */
  private port: number;
  private redirected = false;

  constructor(
    readonly index: number,
    private readonly descriptor: InputChannelDescriptor & { readonly location: { readonly host: string; readonly port: number } },
    private readonly gate: GateCallbacks,
    private readonly connections: ConnectionManager,
    private readonly initialCredit: number,
    /** Hand buffers on undecoded (a raw gate). */
    private readonly raw = false,
  ) {
    this.port = descriptor.location.port;
    this.peer = `${descriptor.location.host}:${descriptor.location.port}`;
  }

  get hasData(): boolean {
    return this.queue.length > 0;
  }

  get queuedBuffers(): number {
    return this.queue.length;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  start(): void {
    const { partitionId, subpartitionIndex, location } = this.descriptor;
    try {
      this.connection = this.connections.connectionTo(location.host, this.port);
      this.channelId = this.connection.open(this, { partitionId, subpartitionIndex, credit: this.initialCredit });
      this.outstandingCredit = this.initialCredit;
      this.state = 'open';
    } catch (error) {
      this.fail(error instanceof DataConnectionError ? this.connectionError(error) : (error as Error));
    }
  }

  onBuffer(payload: Buffer): void {
    if (this.outstandingCredit === 0) throw new MalformedFrame(`BUFFER without credit on channel ${this.channelId} (partition ${this.descriptor.partitionId})`);
    this.outstandingCredit -= 1;
    this.push({ payload });
    this.bytes += payload.length;
  }

  onEvent(event: ChannelEvent): void {
    if (event.kind === 'barrier' && event.unaligned === true && this.gate.channelHasPriorityEvent !== undefined) {
      // An unaligned checkpoint's barrier overtakes the buffers received and not yet taken; they follow it, counted.
      let overtakenBuffers = 0;
      for (const item of this.queue) if ('payload' in item) overtakenBuffers += 1;
      this.queue.unshift({ event: { ...event, overtakenBuffers } });
      this.gate.channelHasPriorityEvent(this);
      return;
    }
    this.push({ event });
    if (event.kind === 'end-of-partition') {
      this.state = 'ended';
      this.connection?.close(this.channelId);
    }
  }

  onRemoteError(message: string): void {
    this.fail(new RemoteChannelError(this.peer, this.descriptor.partitionId, this.descriptor.subpartitionIndex, message));
  }

  onConnectionFailed(error: DataConnectionError): void {
    this.fail(this.connectionError(error));
  }

  /**
   * The producer TaskManager serves the partition from the data server of
   * the slot thread that writes it: the request moves there, once (a second
   * redirect is a protocol error). Nothing was received before a redirect.
   */
  onRedirect(port: number): void {
    if (this.state !== 'open') return;
    if (this.redirected) {
      this.fail(new ProtocolError(this.peer, `input channel ${this.index} (partition ${this.descriptor.partitionId}): redirected twice (to port ${port})`));
      return;
    }
    this.redirected = true;
    this.port = port;
    this.peer = `${this.descriptor.location.host}:${port}`;
    this.connection = undefined;
    this.state = 'idle';
    this.start();
  }

  take(): ChannelEntry | undefined {
    const item = this.queue.shift();
    if (item === undefined) return undefined;
    if ('event' in item) return { channel: this.index, event: item.event };
    this.bytes -= item.payload.length;
    if (this.raw) {
      this.returnCredit();
      return { channel: this.index, payload: item.payload };
    }
    let batch: DecodedBatch;
    try {
      batch = decodeBatch(item.payload);
    } catch (error) {
      const detail = `cannot decode a buffer from ${this.peer} (partition ${this.descriptor.partitionId}): ${(error as Error).message}`;
      this.fail(new DataConnectionError(this.peer, detail, { cause: error }), true);
      this.connection?.cancel(this.channelId);
      return undefined;
    }
    this.returnCredit();
    return batchEntry(this.index, batch);
  }

  private returnCredit(): void {
    if (this.state === 'open') {
      this.outstandingCredit += 1;
      this.connection?.addCredit(this.channelId, 1);
    }
  }

  close(): void {
    if (this.state === 'open') this.connection?.cancel(this.channelId);
    this.state = 'closed';
    this.queue.clear();
    this.bytes = 0;
  }

  private push(item: Received): void {
    this.queue.push(item);
    if (this.queue.length === 1) this.gate.channelHasData(this);
  }

  private connectionError(error: DataConnectionError): DataConnectionError {
    const { partitionId, subpartitionIndex } = this.descriptor;
    const message = `input channel ${this.index} (partition ${partitionId} subpartition ${subpartitionIndex}): ${error.message}`;
    return error instanceof ProtocolError ? new ProtocolError(error.peer, message, { cause: error }) : new DataConnectionError(error.peer, message, { cause: error });
  }

  /** After end-of-partition arrived, only a local problem (a buffer that does not decode) can still fail the channel. */
  private fail(error: Error, evenIfEnded = false): void {
    if (this.state === 'failed' || this.state === 'closed' || (this.state === 'ended' && !evenIfEnded)) return;
    this.state = 'failed';
    this.queue.clear();
    this.bytes = 0;
    this.gate.channelFailed(this, error);
  }
}
