import { createCheckpointStorage, loadConfiguration, type CheckpointStorage } from '@rivulet/common';
import { s3rverConfig, type StartedS3Server } from '@rivulet/testing';

/**
 * The lines of the objects the FileSink committed under an S3 prefix, read
 * with Rivulet's own S3 storage client. Committed part files never change,
 * so each is read once however often the prefix is polled.
 */
export class S3CommittedLines {
  private readonly storage: CheckpointStorage;
  private readonly read = new Map<string, string[]>();

  constructor(s3: StartedS3Server, readonly uri: string) {
    const config = loadConfiguration({ flags: s3rverConfig(s3) });
    this.storage = createCheckpointStorage(uri, config);
  }

  /** The committed objects' keys under the prefix. */
  async objects(): Promise<string[]> {
    return (await this.storage.list('')).map((object) => object.path);
  }

  /** Every line of every committed object, object by object in key order. */
  async lines(): Promise<string[]> {
    const lines: string[] = [];
    for (const path of await this.objects()) {
      let objectLines = this.read.get(path);
      if (objectLines === undefined) {
        objectLines = (await this.storage.get(path)).toString('utf8').split('\n').filter((line) => line !== '');
        this.read.set(path, objectLines);
      }
      lines.push(...objectLines);
    }
    return lines;
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}
