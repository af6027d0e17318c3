import { RivuletError } from '@rivulet/common';

/**
 * A value refused before it was sent to etcd because it is larger than
 * `MAX_ETCD_VALUE_BYTES`. etcd's own limit is 1.5 MiB per request, and only
 * pointers and small records belong in etcd.
 */
export class EtcdValueTooLargeError extends RivuletError {
  override readonly name = 'EtcdValueTooLargeError';
  readonly jobId: string;
  readonly key: string;
  readonly bytes: number;
  readonly limitBytes: number;

  constructor(details: { jobId: string; key: string; what: string; bytes: number; limitBytes: number }) {
    super(
      'JOB',
      `job ${details.jobId}: the ${details.what} is ${details.bytes} bytes, above the limit of ${details.limitBytes} bytes ` +
        `(1 MiB) for a value stored in etcd (key ${details.key}); etcd holds only pointers and small records`,
    );
    this.jobId = details.jobId;
    this.key = details.key;
    this.bytes = details.bytes;
    this.limitBytes = details.limitBytes;
  }
}

/** A record in etcd that cannot be decoded: written by something else, or damaged. */
export class CorruptedHaRecordError extends RivuletError {
  override readonly name = 'CorruptedHaRecordError';
  readonly key: string;

  constructor(key: string, problem: string, options?: { cause?: unknown }) {
    super('CLUSTER', `the HA record at etcd key ${key} is corrupted: ${problem}`, options);
    this.key = key;
  }
}
