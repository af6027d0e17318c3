import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';
import type { BucketAssigner, BucketAssignerContext } from './bucket-assigner.js';
import { invalidBucketId } from './bucket-assigner.js';

export const DEFAULT_DATE_TIME_FORMAT = 'yyyy-MM-dd--HH';

export interface DateTimeBucketAssignerOptions {
  /**
   * The bucket id as a date-time pattern, default `yyyy-MM-dd--HH` (hourly
   * buckets). luxon's format tokens, which agree with Java's
   * DateTimeFormatter (Flink's) for y, M, d, H, m, s and S; text in single
   * quotes is literal (`'hour='HH`).
   */
  readonly format?: string;
  /** An IANA time zone (`Europe/Berlin`) or `UTC`; default the TaskManager's own (its TZ), as Flink's default is the JVM's. */
  readonly timeZone?: string;
  /**
   * Which time names the bucket: `processing` (the default, as Flink's
   * DateTimeBucketAssigner) or `event` (the record's timestamp; a record
   * without one fails the write).
   */
  readonly time?: 'processing' | 'event';
}

/**
 * Flink's DateTimeBucketAssigner: the bucket of a record is a time
 * formatted with a pattern in a time zone, by default the processing time
 * when the record is written, in hourly buckets `yyyy-MM-dd--HH`. Options
 * are checked when it is made (a TypeError names the wrong one).
 */
export class DateTimeBucketAssigner<T = unknown> implements BucketAssigner<T> {
  readonly format: string;
  readonly timeZone: string | undefined;
  readonly time: 'processing' | 'event';
  private readonly zone: IANAZone | FixedOffsetZone | undefined;
  /** Times within one cache unit (a second, or a ms when the format shows fractions) have one bucket id. */
  private readonly cacheUnitMs: number;
  private cachedUnit = Number.NaN;
  private cachedBucketId = '';

  constructor(options: DateTimeBucketAssignerOptions = {}) {
    this.format = options.format ?? DEFAULT_DATE_TIME_FORMAT;
    this.timeZone = options.timeZone;
    this.time = options.time ?? 'processing';
    if (typeof this.format !== 'string' || this.format === '') throw new TypeError('DateTimeBucketAssigner: "format" must be a non-empty date-time pattern such as yyyy-MM-dd--HH');
    if (this.time !== 'processing' && this.time !== 'event') throw new TypeError(`DateTimeBucketAssigner: "time" is "${String(this.time)}", not "processing" or "event"`);
    this.zone = zoneOf(this.timeZone);
    this.cacheUnitMs = /[Sux]/.test(this.format.replace(/'[^']*'/g, '')) ? 1 : 1000;
    const sample = this.formatTime(Date.UTC(2024, 0, 2, 3, 4, 5));
    const invalid = invalidBucketId(sample);
    if (invalid !== undefined) throw new TypeError(`DateTimeBucketAssigner: the format "${this.format}" gives bucket ids such as "${sample}": ${invalid}`);
  }

  getBucketId(_record: T, context: BucketAssignerContext): string {
    if (this.time === 'processing') return this.formatTime(context.currentProcessingTime);
    if (context.timestamp === undefined || !Number.isFinite(context.timestamp)) {
      throw new Error('DateTimeBucketAssigner by event time: the record has no timestamp (give the stream timestamps with a WatermarkStrategy, or bucket by processing time)');
    }
    return this.formatTime(context.timestamp);
  }

  /** The formatted time; consecutive records of the same second (ms) reuse the last id (formatting is the costly part). */
  private formatTime(ms: number): string {
    const unit = Math.floor(ms / this.cacheUnitMs);
    if (unit === this.cachedUnit) return this.cachedBucketId;
    const time = DateTime.fromMillis(ms);
    this.cachedBucketId = (this.zone === undefined ? time : time.setZone(this.zone)).toFormat(this.format);
    this.cachedUnit = unit;
    return this.cachedBucketId;
  }
}

function zoneOf(timeZone: string | undefined): IANAZone | FixedOffsetZone | undefined {
  if (timeZone === undefined) return undefined;
  if (typeof timeZone !== 'string') throw new TypeError('DateTimeBucketAssigner: "timeZone" must be a string such as UTC or Europe/Berlin');
  if (timeZone.toUpperCase() === 'UTC') return FixedOffsetZone.utcInstance;
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new TypeError(`DateTimeBucketAssigner: "${timeZone}" is not a time zone this Node.js knows (an IANA name such as Europe/Berlin, or UTC)`);
  return zone;
}
