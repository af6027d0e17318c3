/**
 * The raw baseline of bench/checkpoint: one PutObject through the AWS SDK
 * client the checkpoint storage itself uses (`createS3Client` from
 * @rivulet/common: same SDK version, same options — the s3rver settings of
 * @rivulet/testing's s3rverConfig as the daemons get them, keep-alive agent),
 * with a Buffer body and nothing around it (no storage layer, no retries of
 * ours, no serialization).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { loadConfiguration } from '@rivulet/common';
import { createS3Client } from '@rivulet/common/s3';
import { s3rverConfig, type StartedS3Server } from '@rivulet/testing';

interface S3Commands {
  PutObjectCommand: new (input: { Bucket: string; Key: string; Body: Uint8Array; ContentLength: number }) => unknown;
  DeleteObjectCommand: new (input: { Bucket: string; Key: string }) => unknown;
}

// bench/ does not depend on the SDK: load @rivulet/common's own copy (the one createS3Client uses).
const sdkEntry = createRequire(import.meta.resolve('@rivulet/common')).resolve('@aws-sdk/client-s3');
const sdk = (await import(pathToFileURL(sdkEntry).href)) as S3Commands;

export interface RawS3 {
  /** One PutObject of `bytes` to `key`; resolves with its duration in ms. */
  put(key: string, bytes: Uint8Array): Promise<number>;
  delete(key: string): Promise<void>;
  close(): void;
}

export function rawS3(s3: StartedS3Server, options: { bucket: string }): RawS3 {
  const client = createS3Client(loadConfiguration({ flags: { ...s3rverConfig(s3), 's3.region': s3.region } }));
  const send = (command: unknown): Promise<unknown> => (client as unknown as { send(c: unknown): Promise<unknown> }).send(command);
  return {
    async put(key, bytes) {
      const started = process.hrtime.bigint();
      await send(new sdk.PutObjectCommand({ Bucket: options.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength }));
      return Number(process.hrtime.bigint() - started) / 1e6;
    },
    async delete(key) {
      await send(new sdk.DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    },
    close() {
      client.destroy();
    },
  };
}
