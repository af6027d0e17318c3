import type { ChannelEvent } from './network-api.js';

/**
 * Wire format of the data connection. Every frame:
 *
 *   [u32 length][u8 type][u32 channel id][payload]      (big-endian)
 *
 * `length` counts type + channel id + payload (so it is at least 5). Channel
 * ids are chosen by the consumer's side, unique per connection, starting at 1;
 * channel 0 is the connection itself (HELLO). The consumer opens the
 * connection and must send HELLO first.
 *
 * | type | direction | payload |
 * |---|---|---|
 * | HELLO | consumer → producer | [u32 magic 'RVLT'][u16 protocol version] |
 * | PARTITION_REQUEST | consumer → producer | [u32 subpartition][u32 initial credit][utf8 partition id] |
 * | BUFFER | producer → consumer | one msgpackr-serialized array of records (needs one credit) |
 * | EVENT | producer → consumer | [u8 kind] end-of-partition = 1; barrier = 2 + [f64 checkpoint id][f64 timestamp][u8 0 checkpoint, 1 savepoint, 2 savepoint of a stop]; end-of-data = 3; watermark = 4 + [f64 timestamp]; watermark-status = 5 + [u8 idle] |
 * | ADD_CREDIT | consumer → producer | [u32 credit > 0] |
 * | ERROR | producer → consumer | [utf8 message]; the channel is closed |
 * | CANCEL | consumer → producer | empty; the consumer gives up the channel before its end |
 * | CLOSE | consumer → producer | empty; end-of-partition arrived: the subpartition is fully consumed |
 * | REDIRECT | producer → consumer | [u32 port]: the partition is served by the data server on that port of the same host (the thread of the slot that produces it); the channel is closed and the consumer requests it there |
 */
export const FrameType = {
  HELLO: 0,
  PARTITION_REQUEST: 1,
  BUFFER: 2,
  EVENT: 3,
  ADD_CREDIT: 4,
  ERROR: 5,
  CANCEL: 6,
  CLOSE: 7,
  REDIRECT: 8,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

export const FRAME_TYPE_NAMES: readonly string[] = Object.keys(FrameType);
export const HEADER_BYTES = 9;
/** Bytes of a frame counted by its length field besides the payload (type + channel id). */
export const LENGTH_OVERHEAD = 5;
export const MAGIC = 0x52564c54; // 'RVLT'
export const PROTOCOL_VERSION = 2;

const EVENT_END_OF_PARTITION = 1;
const EVENT_BARRIER = 2;
const EVENT_END_OF_DATA = 3;
const EVENT_WATERMARK = 4;
const EVENT_WATERMARK_STATUS = 5;
const MAX_ERROR_MESSAGE_BYTES = 16 * 1024;

export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly payload: Buffer;
}

/** A frame whose content is invalid; the connection code turns it into a ProtocolError naming the peer. */
export class MalformedFrame extends Error {
  override readonly name = 'MalformedFrame';
}

/** Writes the header into the first HEADER_BYTES of `frame` (which holds header space + payload). */
export function writeHeader(frame: Buffer, type: FrameTypeCode, channel: number): Buffer {
  frame.writeUInt32BE(frame.length - 4, 0);
  frame[4] = type;
  frame.writeUInt32BE(channel, 5);
  return frame;
}

export function encodeFrame(type: FrameTypeCode, channel: number, payload?: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + (payload?.length ?? 0));
  payload?.copy(frame, HEADER_BYTES);
  return writeHeader(frame, type, channel);
}

export function encodeHello(): Buffer {
  const payload = Buffer.allocUnsafe(6);
  payload.writeUInt32BE(MAGIC, 0);
  payload.writeUInt16BE(PROTOCOL_VERSION, 4);
  return encodeFrame(FrameType.HELLO, 0, payload);
}

export function parseHello(payload: Buffer): void {
  if (payload.length !== 6 || payload.readUInt32BE(0) !== MAGIC) throw new MalformedFrame('not a Rivulet data connection (bad HELLO)');
  const version = payload.readUInt16BE(4);
  if (version !== PROTOCOL_VERSION) throw new MalformedFrame(`unsupported protocol version ${version} (this side speaks ${PROTOCOL_VERSION})`);
}

export interface PartitionRequest {
  readonly partitionId: string;
  readonly subpartitionIndex: number;
  readonly credit: number;
}

export function encodePartitionRequest(channel: number, request: PartitionRequest): Buffer {
  const id = Buffer.from(request.partitionId, 'utf8');
  const payload = Buffer.allocUnsafe(8 + id.length);
  payload.writeUInt32BE(request.subpartitionIndex, 0);
  payload.writeUInt32BE(request.credit, 4);
  id.copy(payload, 8);
  return encodeFrame(FrameType.PARTITION_REQUEST, channel, payload);
}

export function parsePartitionRequest(payload: Buffer): PartitionRequest {
  if (payload.length < 9) throw new MalformedFrame(`PARTITION_REQUEST payload of ${payload.length} bytes is too short`);
  const credit = payload.readUInt32BE(4);
  if (credit === 0) throw new MalformedFrame('PARTITION_REQUEST with zero initial credit');
  return { subpartitionIndex: payload.readUInt32BE(0), credit, partitionId: payload.toString('utf8', 8) };
}

export function encodeEvent(channel: number, event: ChannelEvent): Buffer {
  if (event.kind === 'end-of-partition') return encodeFrame(FrameType.EVENT, channel, Buffer.of(EVENT_END_OF_PARTITION));
  if (event.kind === 'end-of-data') return encodeFrame(FrameType.EVENT, channel, Buffer.of(EVENT_END_OF_DATA));
  if (event.kind === 'watermark-status') return encodeFrame(FrameType.EVENT, channel, Buffer.of(EVENT_WATERMARK_STATUS, event.idle ? 1 : 0));
  if (event.kind === 'watermark') {
    const watermark = Buffer.allocUnsafe(9);
    watermark[0] = EVENT_WATERMARK;
    watermark.writeDoubleBE(event.timestamp, 1);
    return encodeFrame(FrameType.EVENT, channel, watermark);
  }
  const payload = Buffer.allocUnsafe(18);
  payload[0] = EVENT_BARRIER;
  payload.writeDoubleBE(event.checkpointId, 1);
  payload.writeDoubleBE(event.timestamp, 9);
  // Low bits: 0 checkpoint, 1 savepoint, 2 savepoint of a stop; bit 2: an unaligned checkpoint's barrier (a priority event).
  payload[17] = (event.terminate === true ? 2 : event.savepoint ? 1 : 0) | (event.unaligned === true ? 4 : 0);
  return encodeFrame(FrameType.EVENT, channel, payload);
}

export function parseEvent(payload: Buffer): ChannelEvent {
  const kind = payload[0];
  if (kind === EVENT_END_OF_PARTITION && payload.length === 1) return { kind: 'end-of-partition' };
  if (kind === EVENT_END_OF_DATA && payload.length === 1) return { kind: 'end-of-data' };
  if (kind === EVENT_WATERMARK && payload.length === 9) {
    const timestamp = payload.readDoubleBE(1);
    if (!Number.isNaN(timestamp)) return { kind: 'watermark', timestamp };
  }
  if (kind === EVENT_WATERMARK_STATUS && payload.length === 2 && payload[1]! <= 1) return { kind: 'watermark-status', idle: payload[1] === 1 };
  if (kind === EVENT_BARRIER && payload.length === 18 && (payload[17]! & 3) <= 2 && payload[17]! <= 4) {
    const type = payload[17]! & 3;
    const barrier = { kind: 'barrier', checkpointId: payload.readDoubleBE(1), timestamp: payload.readDoubleBE(9), savepoint: type >= 1 } as const;
    if (payload[17] === 4) return { ...barrier, unaligned: true };
    return type === 2 ? { ...barrier, terminate: true } : barrier;
  }
  throw new MalformedFrame(`invalid EVENT payload (kind ${String(kind)}, ${payload.length} bytes)`);
}

export function encodeCredit(channel: number, credit: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + 4);
  frame.writeUInt32BE(credit, HEADER_BYTES);
  return writeHeader(frame, FrameType.ADD_CREDIT, channel);
}

export function parseCredit(payload: Buffer): number {
  if (payload.length !== 4) throw new MalformedFrame(`ADD_CREDIT payload of ${payload.length} bytes (expected 4)`);
  const credit = payload.readUInt32BE(0);
  if (credit === 0) throw new MalformedFrame('ADD_CREDIT of zero');
  return credit;
}

export function encodeError(channel: number, message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return encodeFrame(FrameType.ERROR, channel, bytes.subarray(0, MAX_ERROR_MESSAGE_BYTES));
}

export function parseError(payload: Buffer): string {
  return payload.toString('utf8');
}

/** For CANCEL and CLOSE, whose payload must be empty. */
export function expectEmpty(frame: Frame): void {
  if (frame.payload.length !== 0) {
    throw new MalformedFrame(`${FRAME_TYPE_NAMES[frame.type] ?? frame.type} frame with a ${frame.payload.length}-byte payload (expected none)`);
  }
}

export function encodeRedirect(channel: number, port: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + 4);
  frame.writeUInt32BE(port, HEADER_BYTES);
  return writeHeader(frame, FrameType.REDIRECT, channel);
}

export function parseRedirect(payload: Buffer): number {
  if (payload.length !== 4) throw new MalformedFrame(`REDIRECT payload of ${payload.length} bytes (expected 4)`);
  const port = payload.readUInt32BE(0);
  if (port === 0 || port > 65535) throw new MalformedFrame(`REDIRECT to port ${port}`);
  return port;
}
