/**
 * How the built-in sources cut their input and which reader reads each
 * piece. Both are pure functions, the same in every process: the enumerator
 * (JobManager) and the readers (TaskManagers) agree on them without asking.
 */

/**
 * The contiguous share `index` of `count` of [0, total): [⌊total·index/count⌋,
 * ⌊total·(index+1)/count⌋). The shares cover [0, total) exactly once, and
 * their sizes differ by at most one.
 */
export function shareOf(total: number, index: number, count: number): { readonly start: number; readonly end: number } {
  return {
    start: Math.floor((total * index) / count),
    end: Math.floor((total * (index + 1)) / count),
  };
}

/**
 * The subtask that reads split `splitId` at `parallelism`: split "k" (the
 * k-th share, as the enumerator creates them) goes to subtask k mod p, so
 * that at the parallelism it was cut for, subtask i reads share i; any other
 * id (splits mapped from an older state layout) to a stable hash of it.
 */
export function ownerOf(splitId: string, parallelism: number): number {
  if (/^(0|[1-9][0-9]{0,14})$/.test(splitId)) return Number(splitId) % parallelism;
  // FNV-1a, 32 bits: the same owner in every process.
  let hash = 0x811c9dc5;
  for (let i = 0; i < splitId.length; i++) {
    hash ^= splitId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % parallelism;
}
