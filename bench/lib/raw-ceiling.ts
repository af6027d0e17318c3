/**
 * The raw ceiling of moving records between two endpoints over loopback TCP:
 * msgpackr-serialize batches (the network stack's options: useRecords +
 * moreTypes, one call per batch), write them length-prefixed to a plain
 * socket honouring its backpressure, split and deserialize them on the other
 * side — nothing else (no channels, no credit, no copies). Sender and
 * receiver share one process and event loop, as the two environments of
 * `bench/network.ts` do, so the ratio compares like with like.
 */
import { createRequire } from 'node:module';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Packr {
  pack(value: unknown, options?: number): Buffer;
}
interface Unpackr {
  unpack(bytes: Buffer): unknown;
}
interface Msgpackr {
  Packr: new (options: object) => Packr;
  Unpackr: new (options: object) => Unpackr;
  RESERVE_START_SPACE: number;
}

/**
 * bench/ does not depend on msgpackr: load the network stack's own copy — its
 * ES module build, the one the network stack runs — so both use the same code.
 */
const cjsEntry = createRequire(import.meta.resolve('@rivulet/taskmanager')).resolve('msgpackr'); // <root>/dist/node.cjs
export const msgpackr = (await import(pathToFileURL(join(dirname(dirname(cjsEntry)), 'node-index.js')).href)) as Msgpackr;
export const MSGPACK_OPTIONS = { useRecords: true, moreTypes: true } as const;

export interface RawCeiling {
  readonly recordsPerSecond: number;
  /** Serialized payload bytes sent. */
  readonly bytes: number;
  readonly seconds: number;
  readonly batches: number;
}

/** Sends `records` in batches of `batchSize` through serialize → socket → deserialize, once. */
export async function measureRawCeiling(records: readonly unknown[], batchSize: number): Promise<RawCeiling> {
  const packr = new msgpackr.Packr(MSGPACK_OPTIONS);
  const unpackr = new msgpackr.Unpackr(MSGPACK_OPTIONS);
  let received = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server = createServer((socket) => receive(socket, (payload) => {
    received += (unpackr.unpack(payload) as unknown[]).length;
    if (received === records.length) finish();
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once('connect', resolve));

  const started = process.hrtime.bigint();
  let bytes = 0;
  let batches = 0;
  for (let i = 0; i < records.length; i += batchSize) {
    const frame = packr.pack(records.slice(i, i + batchSize), msgpackr.RESERVE_START_SPACE | 4);
    frame.writeUInt32BE(frame.length - 4, 0);
    bytes += frame.length - 4;
    batches += 1;
    if (!client.write(frame)) await new Promise((resolve) => client.once('drain', resolve));
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { recordsPerSecond: records.length / seconds, bytes, seconds, batches };
}

/** Splits a stream of [u32 length][payload] frames; a frame spanning chunks is copied once. */
function receive(socket: Socket, onPayload: (payload: Buffer) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let buffer = chunk;
    if (pendingBytes > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < 4 || pendingBytes < 4 + readLength(pending)) return;
      buffer = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const end = offset + 4 + buffer.readUInt32BE(offset);
      if (end > buffer.length) break;
      onPayload(buffer.subarray(offset + 4, end));
      offset = end;
    }
    if (offset < buffer.length) {
      pending = [buffer.subarray(offset)];
      pendingBytes = buffer.length - offset;
    }
  });
  socket.on('error', () => undefined);
}

function readLength(chunks: readonly Buffer[]): number {
  const head = chunks[0]!.length >= 4 ? chunks[0]! : Buffer.concat(chunks as Buffer[]);
  return head.readUInt32BE(0);
}
