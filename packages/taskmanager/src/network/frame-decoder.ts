import { FRAME_TYPE_NAMES, type Frame, LENGTH_OVERHEAD, MalformedFrame } from './frames.js';

/**
 * Splits a byte stream into frames. Chunks are kept as a list and a frame is
 * copied only when it spans chunks, so a large frame arriving in many small
 * chunks costs one copy, not one per chunk.
 *
 * Invariant: a length prefix outside [LENGTH_OVERHEAD, maxFrameBytes + LENGTH_OVERHEAD]
 * or an unknown frame type throws MalformedFrame before any of the frame is
 * buffered, so garbage never makes this side allocate what it announces.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** Offset of the first unread byte in chunks[0]. */
  private offset = 0;
  private buffered = 0;
  /** Total bytes (prefix included) of the frame being assembled, or -1 while its length is unknown. */
  private needed = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a complete frame (non-zero at end of stream = truncated frame). */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds one chunk; calls `onFrame` for every frame it completes, in order. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.needed < 0) {
        if (this.buffered < 4) return;
        const length = this.readLength();
        if (length < LENGTH_OVERHEAD || length > this.maxFrameBytes + LENGTH_OVERHEAD) {
          throw new MalformedFrame(`frame length ${length} outside [${LENGTH_OVERHEAD}, ${this.maxFrameBytes + LENGTH_OVERHEAD}]`);
        }
        this.needed = 4 + length;
      }
      if (this.buffered < this.needed) {
        // The type byte is validated as soon as it is here, before waiting for a long payload.
        if (this.buffered >= 5) this.checkType(this.byteAt(4));
        return;
      }
      const bytes = this.take(this.needed);
      this.needed = -1;
      const type = bytes[4]!;
      this.checkType(type);
      onFrame({ type, channel: bytes.readUInt32BE(5), payload: bytes.subarray(9) });
    }
  }

  private checkType(type: number): void {
    if (type >= FRAME_TYPE_NAMES.length) throw new MalformedFrame(`unknown frame type ${type}`);
  }

  private readLength(): number {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= 4) return first.readUInt32BE(this.offset);
    return ((this.byteAt(0) << 24) | (this.byteAt(1) << 16) | (this.byteAt(2) << 8) | this.byteAt(3)) >>> 0;
  }

  private byteAt(index: number): number {
    let i = index + this.offset;
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new RangeError('byteAt past the buffered bytes');
  }

  /** Removes and returns the next `n` bytes (n <= buffered). */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) {
      const bytes = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
      return bytes;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.length - this.offset, n - written);
      chunk.copy(out, written, this.offset, this.offset + count);
      written += count;
      this.offset += count;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return out;
  }
}
