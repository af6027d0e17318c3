/**
 * How a restore reads its key groups: the ranges it needs, grouped by file
 * and merged into few large ranged reads.
 *
 * A subtask's state file holds its key groups back to back, so the key
 * groups a restoring subtask needs from one file are mostly adjacent; after
 * a rescale they are a contiguous run (key groups are assigned in ranges).
 * Reading each one by itself costs a round trip each (about 256 per subtask
 * at 128 key groups, keyed state and timers); one ranged read per run costs
 * one.
 */

/** Ranges at most this far apart are read as one (the bytes between are read and dropped). */
export const MAX_COALESCE_GAP_BYTES = 1024 * 1024;

/**
 * A coalesced read grows to at most this many bytes; a single range larger
 * than that is read by itself, whole. Large enough that a round trip's fixed
 * cost is small against the transfer (16 MiB at 100 MB/s: 160 ms), small
 * enough that `concurrency` reads in flight hold little memory and a file
 * is split over several readers.
 */
export const MAX_COALESCED_READ_BYTES = 16 * 1024 * 1024;

/** One range a restore needs. `T` is what the caller hands back with its bytes (e.g. the handle). */
export interface RangeRequest<T> {
  /** Which file: ranges are only merged within the same file key. */
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  readonly target: T;
}

/** One ranged read of `file`, and where in its bytes each request's range lies. */
export interface PlannedRead<T> {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
  /** `start` is relative to the read's `offset`. */
  readonly slices: readonly { readonly start: number; readonly length: number; readonly target: T }[];
}

export interface CoalesceLimits {
  readonly maxGapBytes: number;
  readonly maxReadBytes: number;
}

export const DEFAULT_COALESCE_LIMITS: CoalesceLimits = { maxGapBytes: MAX_COALESCE_GAP_BYTES, maxReadBytes: MAX_COALESCED_READ_BYTES };

/**
 * Groups `requests` by file, sorts them by offset and merges a range into
 * the read before it when the gap between them is at most `maxGapBytes` and
 * the merged read stays within `maxReadBytes`. Overlapping or repeated
 * ranges are served by one read. Reads come out in file order, then by
 * offset. `maxReadBytes` 0 turns merging off: one read per request.
 */
export function planRangeReads<T>(requests: readonly RangeRequest<T>[], limits: CoalesceLimits = DEFAULT_COALESCE_LIMITS): PlannedRead<T>[] {
  checkLimits(limits);
  const byFile = new Map<string, RangeRequest<T>[]>();
  for (const request of requests) {
    if (!Number.isSafeInteger(request.offset) || request.offset < 0 || !Number.isSafeInteger(request.length) || request.length < 0) {
      throw new Error(`restore read of ${request.file}: offset ${request.offset} and length ${request.length} must be non-negative integers`);
    }
    let list = byFile.get(request.file);
    if (!list) byFile.set(request.file, (list = []));
    list.push(request);
  }
  const reads: PlannedRead<T>[] = [];
  for (const [file, list] of byFile) {
    list.sort((a, b) => a.offset - b.offset || a.length - b.length);
    let current: { offset: number; end: number; members: RangeRequest<T>[] } | undefined;
    const flush = (): void => {
      if (!current) return;
      const { offset, end, members } = current;
      reads.push({ file, offset, length: end - offset, slices: members.map((m) => ({ start: m.offset - offset, length: m.length, target: m.target })) });
    };
    for (const request of list) {
      const end = request.offset + request.length;
      const merged = current === undefined ? undefined : Math.max(current.end, end) - current.offset;
      if (current !== undefined && merged !== undefined && limits.maxReadBytes > 0 && request.offset - current.end <= limits.maxGapBytes && merged <= limits.maxReadBytes) {
        current.end = Math.max(current.end, end);
        current.members.push(request);
        continue;
      }
      flush();
      current = { offset: request.offset, end, members: [request] };
    }
    flush();
  }
  return reads;
}

function checkLimits(limits: CoalesceLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`restore read plan: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}
