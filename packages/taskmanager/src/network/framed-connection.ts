import type { Socket } from 'node:net';
import type { Logger } from '@rivulet/common/task-runtime';
import { DataConnectionError, ProtocolError } from './errors.js';
import { FrameDecoder } from './frame-decoder.js';
import { FRAME_TYPE_NAMES, type Frame, MalformedFrame } from './frames.js';

export interface FramedConnectionOptions {
  readonly socket: Socket;
  /** `host:port` of the other end, named in every error. */
  readonly peer: string;
  /** "data connection to 10.0.0.2:6121" or "data connection from 10.0.0.3:51234". */
  readonly description: string;
  readonly maxFrameBytes: number;
  readonly log: Logger;
  /** Frame types this side may receive; any other closes the connection. */
  readonly accepts: ReadonlySet<number>;
  /** Handles one frame; throwing (MalformedFrame for protocol violations) closes the connection. */
  readonly onFrame: (frame: Frame) => void;
  /** The socket can take more data again after `write` filled it. */
  readonly onDrain: () => void;
  /** Called exactly once when the connection is gone; `error` is undefined after a local `close()`. */
  readonly onClosed: (error: DataConnectionError | undefined) => void;
  /**
   * True while the connection carries no channel: a peer that closes it then
   * (e.g. a consumer slot thread that ended after being redirected elsewhere)
   * is logged at debug level, not as a failure.
   */
  readonly idle?: () => boolean;
  /**
   * Bytes the socket may buffer before `writable` turns false, when the
   * socket's own high-water mark is lower: a TLS server's sockets get 16 KiB
   * whatever the server was given, which would hold back every frame behind
   * a 'drain'. Unset: the socket's own `writableNeedDrain` decides.
   */
  readonly writeHighWaterMark?: number;
}

/**
 * One TCP connection speaking the frame protocol, for either side.
 *
 * Invariants: whatever arrives (garbage, an impossible length, an unknown or
 * unexpected frame type, a truncated frame at end of stream), the outcome is
 * that this connection closes with a logged error naming the peer and
 * `onClosed` is called once — never an exception out of a socket callback,
 * never an effect on other connections. Writes made in one tick are corked
 * and leave in one syscall on the next tick.
 */
export class FramedConnection {
  readonly peer: string;
  private readonly decoder: FrameDecoder;
  private closed = false;
  private corked = false;
  /** Frames handed to `onFrame` so far: the progress a stall check looks at. */
  private framesReceived = 0;

  constructor(private readonly options: FramedConnectionOptions) {
    this.peer = options.peer;
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    const { socket } = options;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      if (!this.closed) options.onDrain();
    });
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.fail(new DataConnectionError(this.peer, `${options.description} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new DataConnectionError(this.peer, `${options.description} was closed`)));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** False while the socket's buffer is above its high-water mark: stop writing until `onDrain`. */
  get writable(): boolean {
    if (this.closed) return false;
    const { socket, writeHighWaterMark } = this.options;
    // Past the socket's own mark a write returned false, so 'drain' (onDrain) still follows once it empties.
    return writeHighWaterMark === undefined ? !socket.writableNeedDrain : socket.writableLength < writeHighWaterMark;
  }

  /** Frames received so far. */
  get framesSoFar(): number {
    return this.framesReceived;
  }

  /** Bytes of a frame begun but not complete. */
  get partialFrameBytes(): number {
    return this.decoder.pendingBytes;
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.options.socket.writableLength;
  }

  write(frame: Buffer): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.options.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.options.socket.uncork();
      });
    }
    this.options.socket.write(frame);
  }

  /** Closes the connection without an error (this side is done with it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.socket.destroy();
    this.options.onClosed(undefined);
  }

  /** Closes the connection because of `error`, logs it, and reports it once. */
  fail(error: DataConnectionError): void {
    if (this.closed) return;
    this.closed = true;
    const fields = { peer: this.peer, err: error.message };
    if (error instanceof ProtocolError) this.options.log.error(fields, 'Data connection closed after a protocol error');
    else if (this.options.idle?.() === true) this.options.log.debug(fields, 'Idle data connection closed by its peer');
    else this.options.log.warn(fields, 'Data connection failed');
    this.options.socket.destroy();
    this.options.onClosed(error);
  }

  private onData(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (frame) => this.dispatch(frame));
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const error = err instanceof MalformedFrame
        ? new ProtocolError(this.peer, `${this.options.description}: malformed data from ${this.peer}: ${detail}`, { cause: err })
        : new DataConnectionError(this.peer, `${this.options.description}: cannot handle data from ${this.peer}: ${detail}`, { cause: err });
      this.fail(error);
    }
  }

  private dispatch(frame: Frame): void {
    if (this.closed) return;
    this.framesReceived += 1;
    if (!this.options.accepts.has(frame.type)) {
      throw new MalformedFrame(`unexpected ${FRAME_TYPE_NAMES[frame.type] ?? String(frame.type)} frame on this side of the connection`);
    }
    this.options.onFrame(frame);
  }

  private onEnd(): void {
    const pending = this.decoder.pendingBytes;
    if (pending > 0) {
      this.fail(new ProtocolError(this.peer, `${this.options.description}: ${this.peer} closed the connection in the middle of a frame (${pending} bytes of a truncated frame)`));
    } else {
      this.fail(new DataConnectionError(this.peer, `${this.options.description} was closed by ${this.peer}`));
    }
  }
}
