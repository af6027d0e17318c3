import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3rverClientOptions, type StartedS3Server } from '@rivulet/testing';

/** A client for s3rver with the settings it needs (@rivulet/testing's s3rverClientOptions: path style, checksums only when required). */
export function s3rverClient(server: StartedS3Server): S3Client {
  return new S3Client(s3rverClientOptions(server));
}

/** The keys of the (visible) objects under `prefix`, sorted. */
export async function objectKeys(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const entry of page.Contents ?? []) keys.push(entry.Key!);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

export async function objectText(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString('utf8');
}

/** The lines of every object under `prefix`, object by object in key order. */
export async function objectLines(client: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const key of await objectKeys(client, bucket, prefix)) lines.push(...(await objectText(client, bucket, key)).split('\n').filter((line) => line !== ''));
  return lines;
}
