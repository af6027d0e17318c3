import type { TaskRestore } from '@rivulet/common/task-runtime';
import type { RecordedBatch } from './channel-state-recording.js';
import type { StorageProvider } from './storage-provider.js';

/**
 * The file of a subtask's in-flight records in an unaligned checkpoint
 * (`<operator>/<subtask>/channel-state` of the head operator of its chain):
 *
 *   "RVCS" u8 version(1) u32 inputChannels u32 writers (u32 subpartitions)*writers
 *   then entries: u8 side (0 input, 1 output) u32 writer u32 channel u32 length payload
 *
 * Input entries (writer 0) are batches that were in flight to the task
 * (replayed into it before new input); output entries are batches the task
 * had emitted that its consumers had not received (sent again first). The
 * shape in the header is checked on restore: the records belong to exactly
 * these channels.
 */
export interface ChannelStateShape {
  readonly inputChannels: number;
  /** Per result partition of the task, its subpartitions. */
  readonly subpartitions: readonly number[];
}

export interface OutputBatch {
  readonly writer: number;
  readonly subpartition: number;
  readonly payload: Buffer;
}

export interface ChannelStateContent {
  readonly shape: ChannelStateShape;
  readonly input: readonly RecordedBatch[];
  readonly output: readonly OutputBatch[];
}

const MAGIC = 'RVCS';
const VERSION = 1;

export function encodeChannelState(content: ChannelStateContent): Buffer {
  const head = Buffer.alloc(4 + 1 + 8 + 4 * content.shape.subpartitions.length);
  head.write(MAGIC, 0, 'latin1');
  head[4] = VERSION;
  head.writeUInt32BE(content.shape.inputChannels, 5);
  head.writeUInt32BE(content.shape.subpartitions.length, 9);
  content.shape.subpartitions.forEach((n, i) => head.writeUInt32BE(n, 13 + 4 * i));
  const parts: Buffer[] = [head];
  const entry = (side: number, writer: number, channel: number, payload: Buffer): void => {
    const header = Buffer.alloc(13);
    header[0] = side;
    header.writeUInt32BE(writer, 1);
    header.writeUInt32BE(channel, 5);
    header.writeUInt32BE(payload.byteLength, 9);
    parts.push(header, payload);
  };
  for (const batch of content.input) entry(0, 0, batch.channel, batch.payload);
  for (const batch of content.output) entry(1, batch.writer, batch.subpartition, batch.payload);
  return Buffer.concat(parts);
}

export function decodeChannelState(bytes: Buffer, where: string): ChannelStateContent {
  const bad = (why: string): Error => new Error(`the in-flight records of ${where} are unreadable: ${why}`);
  if (bytes.length < 13 || bytes.toString('latin1', 0, 4) !== MAGIC) throw bad('not a channel state file');
  if (bytes[4] !== VERSION) throw bad(`format version ${bytes[4]}, this TaskManager reads ${VERSION}`);
  const inputChannels = bytes.readUInt32BE(5);
  const writers = bytes.readUInt32BE(9);
  let at = 13;
  const subpartitions: number[] = [];
  for (let i = 0; i < writers; i++, at += 4) {
    if (at + 4 > bytes.length) throw bad('truncated header');
    subpartitions.push(bytes.readUInt32BE(at));
  }
  const input: RecordedBatch[] = [];
  const output: OutputBatch[] = [];
  while (at < bytes.length) {
    if (at + 13 > bytes.length) throw bad('truncated entry');
    const side = bytes[at]!;
    const writer = bytes.readUInt32BE(at + 1);
    const channel = bytes.readUInt32BE(at + 5);
    const length = bytes.readUInt32BE(at + 9);
    at += 13;
    if (at + length > bytes.length) throw bad('truncated batch');
    const payload = bytes.subarray(at, at + length);
    at += length;
    if (side === 0 && channel < inputChannels) input.push({ channel, payload });
    else if (side === 1 && writer < writers && channel < subpartitions[writer]!) output.push({ writer, subpartition: channel, payload });
    else throw bad(`an entry for ${side === 0 ? 'input channel' : `subpartition ${channel} of partition`} ${side === 0 ? channel : writer} outside the recorded shape`);
  }
  return { shape: { inputChannels, subpartitions }, input, output };
}

/** Throws, naming both shapes, when the task's channels are not the ones the records were taken from. */
export function checkChannelStateShape(recorded: ChannelStateShape, now: ChannelStateShape, where: string): void {
  const same = recorded.inputChannels === now.inputChannels
    && recorded.subpartitions.length === now.subpartitions.length
    && recorded.subpartitions.every((n, i) => n === now.subpartitions[i]);
  if (same) return;
  const describe = (s: ChannelStateShape): string => `${s.inputChannels} input channels, output subpartitions [${s.subpartitions.join(', ')}]`;
  throw new Error(
    `${where} holds in-flight records of an unaligned checkpoint taken with ${describe(recorded)}; the subtask now has ${describe(now)}. ` +
      'In-flight records restore only at the parallelism they were taken with: restore at that parallelism, or rescale from a savepoint (always aligned)',
  );
}

/** Reads the in-flight records of the chain head's restore, if it has any. */
export async function readChannelState(restore: TaskRestore, headOperatorId: string, provider: StorageProvider): Promise<ChannelStateContent | undefined> {
  const handle = restore.operators.find((op) => op.operatorId === headOperatorId)?.channelState;
  if (handle === undefined || handle.length === 0) return undefined;
  const storage = provider.forRoot(restore.storageUri);
  const prefix = restore.folder === '' ? '' : `${restore.folder}/`;
  const bytes = await storage.getRange(prefix + handle.path, handle.offset, handle.length);
  return decodeChannelState(bytes, `checkpoint ${restore.checkpointId} (${handle.path})`);
}
