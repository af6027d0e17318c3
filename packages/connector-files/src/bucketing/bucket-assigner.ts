/** What a bucket assigner knows besides the record (Flink's BucketAssigner.Context). */
export interface BucketAssignerContext {
  /** The writer's processing time, ms. */
  readonly currentProcessingTime: number;
  /** The record's event time in ms, undefined when it has none. */
  readonly timestamp: number | undefined;
  /** The sink's current watermark (-Infinity before the first). */
  readonly currentWatermark: number;
}

/**
 * Chooses the bucket of each record: the folder (or key prefix) under the
 * sink's base path its part file is in (Flink's BucketAssigner). A bucket
 * id is a relative path: '' (the base path itself) or segments joined by
 * `/`, none empty, `.` or `..`.
 */
export interface BucketAssigner<T> {
  getBucketId(record: T, context: BucketAssignerContext): string;
}

/** A bucket assigner as a function. */
export type BucketAssignerFunction<T> = (record: T, context: BucketAssignerContext) => string;

/** Flink's BasePathBucketAssigner: every part file directly under the base path. */
export class BasePathBucketAssigner<T = unknown> implements BucketAssigner<T> {
  getBucketId(): string {
    return '';
  }
}

/** The assigner a FileSink uses for `assigner`, checked. */
export function toBucketAssigner<T>(assigner: BucketAssigner<T> | BucketAssignerFunction<T>): BucketAssigner<T> {
  if (typeof assigner === 'function') return { getBucketId: assigner };
  if (assigner === null || typeof assigner !== 'object' || typeof assigner.getBucketId !== 'function') {
    throw new TypeError('withBucketAssigner: a bucket assigner is an object with getBucketId(record, context) or a function (record, context) => bucket id');
  }
  return assigner;
}

/** Why `bucketId` is not a valid bucket id, or undefined when it is. */
export function invalidBucketId(bucketId: unknown): string | undefined {
  if (typeof bucketId !== 'string') return `it is ${bucketId === null ? 'null' : typeof bucketId}, not a string`;
  if (bucketId === '') return undefined;
  if (bucketId.includes('\\') || bucketId.includes('\0')) return 'it holds a backslash or a NUL character';
  if (bucketId.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'a bucket id is a relative path whose segments are not empty, "." or ".."';
  }
  return undefined;
}
