/**
 * The raw baseline of bench/restore: whole-object GetObjects through the AWS
 * SDK client the checkpoint storage itself uses (`createS3Client` from
 * @rivulet/common: same SDK, same options — the s3rver settings of
 * @rivulet/testing's s3rverConfig as the daemons get them), the body collected into memory
 * and nothing around it (no storage layer, no retries, no decoding), by
 * `readers` concurrent readers taking the keys in turn.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { loadConfiguration } from '@rivulet/common';
import { createS3Client } from '@rivulet/common/s3';
import { s3rverConfig } from '@rivulet/testing';

interface S3Commands {
  GetObjectCommand: new (input: { Bucket: string; Key: string }) => unknown;
}

// bench/ does not depend on the SDK: load @rivulet/common's own copy (the one createS3Client uses).
const sdkEntry = createRequire(import.meta.resolve('@rivulet/common')).resolve('@aws-sdk/client-s3');
const sdk = (await import(pathToFileURL(sdkEntry).href)) as S3Commands;

export interface RawGetResult {
  readonly bytes: number;
  readonly ms: number;
  readonly mbPerSecond: number;
}

export interface RawS3Reader {
  /** GetObject of every key, `readers` at a time; the total bytes and the wall time. */
  getAll(keys: readonly string[], readers: number): Promise<RawGetResult>;
  close(): void;
}

export function rawS3Reader(options: { endpoint: string; bucket: string; region: string }): RawS3Reader {
  const client = createS3Client(loadConfiguration({ flags: { ...s3rverConfig(options), 's3.region': options.region } }));
  const send = (command: unknown): Promise<{ Body?: AsyncIterable<Uint8Array> }> =>
    (client as unknown as { send(c: unknown): Promise<{ Body?: AsyncIterable<Uint8Array> }> }).send(command);
  const getOne = async (key: string): Promise<number> => {
    const out = await send(new sdk.GetObjectCommand({ Bucket: options.bucket, Key: key }));
    if (!out.Body) throw new Error(`GetObject ${key}: no body`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of out.Body) chunks.push(chunk);
    return Buffer.concat(chunks).byteLength;
  };
  return {
    async getAll(keys, readers) {
      let next = 0;
      let bytes = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: Math.min(readers, keys.length) }, async () => {
          while (next < keys.length) {
            const read = await getOne(keys[next++]!);
            bytes += read; // not `bytes += await …`: that would add to the total as it was before the await
          }
        }),
      );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      return { bytes, ms: Math.round(ms), mbPerSecond: Number((bytes / 1e6 / (ms / 1000)).toFixed(1)) };
    },
    close() {
      client.destroy();
    },
  };
}
