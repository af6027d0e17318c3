/**
 * Turns `fromSequence(0, total - 1)`'s contiguous per-subtask ranges into
 * interleaved stream positions, so every source subtask walks through event
 * time at the same pace.
 *
 * fromSequence gives subtask i of p the range [⌊total·i/p⌋, ⌊total·(i+1)/p⌋)
 * (the built-in sequence source's shares, shareOf): every range holds q = ⌊total/p⌋ or q + 1
 * numbers, and r = total mod p of them hold q + 1. Subtask i's k-th number
 * becomes position k·p + lane(i), where the r long ranges take lanes
 * 0..r-1 and the short ones lanes r..p-1. Lane l < r has positions
 * l, l + p, …, l + q·p (< total), lane l >= r has q of them: together exactly
 * 0..total-1, each once, and subtask i's k-th event is due at about the same
 * event time as every other subtask's k-th.
 */
export class InterleavedPositions {
  readonly start: number;
  readonly size: number;
  readonly lane: number;

  constructor(readonly total: number, readonly subtaskIndex: number, readonly parallelism: number) {
    const range = (i: number): { start: number; size: number } => {
      const start = Math.floor((total * i) / parallelism);
      return { start, size: Math.floor((total * (i + 1)) / parallelism) - start };
    };
    const short = Math.floor(total / parallelism);
    const longRanges = total % parallelism;
    let longBefore = 0;
    let shortBefore = 0;
    for (let i = 0; i < subtaskIndex; i++) {
      if (range(i).size > short) longBefore++;
      else shortBefore++;
    }
    const own = range(subtaskIndex);
    this.start = own.start;
    this.size = own.size;
    this.lane = own.size > short ? longBefore : longRanges + shortBefore;
  }

  /** The stream position of sequence number `sequence`; throws if it is not in this subtask's range. */
  positionOf(sequence: number): number {
    const k = sequence - this.start;
    if (!(k >= 0 && k < this.size)) {
      throw new Error(
        `nexmark source: sequence number ${sequence} is outside subtask ${this.subtaskIndex}'s range ` +
          `[${this.start}, ${this.start + this.size}) of fromSequence(0, ${this.total - 1}) at parallelism ${this.parallelism}; ` +
          'the generator relies on fromSequence splitting contiguously (no rescaled restore)',
      );
    }
    return k * this.parallelism + this.lane;
  }
}
