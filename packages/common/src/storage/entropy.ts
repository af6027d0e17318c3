import { randomInt } from 'node:crypto';
import { isUnderPrefix } from './storage-path.js';

/**
 * Entropy injection (Flink's `s3.entropy.key` / `s3.entropy.length`): S3
 * partitions a bucket by key prefix, so data files of consecutive checkpoints
 * written under one prefix all land on one partition. A path holding the
 * marker has its first occurrence
 * - replaced by `length` random characters from [0-9a-z] for data files
 *   (`put(…, { entropy: true })`), spreading them over many prefixes;
 * - removed for everything else (`_metadata`, savepoints, bundles), so those
 *   stay at predictable paths.
 * Removal also drops the segment the marker leaves empty: `_entropy_/job/x`
 * becomes `job/x`.
 */
export const ENTROPY_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export class EntropyInjector {
  constructor(
    readonly key: string,
    readonly length: number,
    private readonly randomIndex: (bound: number) => number = randomInt,
  ) {}

  /** Whether `path` holds the marker. */
  has(path: string): boolean {
    return path.includes(this.key);
  }

  /** Data file: the first marker becomes random characters. */
  inject(path: string): string {
    if (!this.has(path)) return path;
    let entropy = '';
    for (let i = 0; i < this.length; i += 1) entropy += ENTROPY_ALPHABET[this.randomIndex(ENTROPY_ALPHABET.length)];
    return path.replace(this.key, entropy);
  }

  /** Any other object: the first marker is removed, with the segment it leaves empty. */
  remove(path: string): string {
    if (!this.has(path)) return path;
    return path
      .replace(this.key, '')
      .split('/')
      .filter((segment) => segment.length > 0)
      .join('/');
  }

  /**
   * For deleting everything a prefix with the marker may have produced: the
   * folder to list (the part before the marker, up to its last `/`) and a test
   * that accepts paths under the prefix with the marker removed or replaced.
   */
  prefixMatcher(prefix: string): { listPrefix: string; matches(path: string): boolean } {
    const at = prefix.indexOf(this.key);
    if (at < 0) return { listPrefix: prefix, matches: (path) => isUnderPrefix(path, prefix) };
    const before = prefix.slice(0, at);
    const after = prefix.slice(at + this.key.length);
    const slash = before.lastIndexOf('/');
    const listPrefix = slash < 0 ? '' : before.slice(0, slash);
    const injected = new RegExp(`^${escapeRegExp(before)}[0-9a-z]{${this.length}}${escapeRegExp(after)}(?:/|$)`);
    const removed = this.remove(prefix);
    return { listPrefix, matches: (path) => injected.test(path) || isUnderPrefix(path, removed) };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
