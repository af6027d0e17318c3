/**
 * Which subtasks a pointwise edge connects (Flink's POINTWISE distribution
 * pattern, used by 'forward' and 'rescale'). With source parallelism m and
 * target parallelism n:
 *
 * - m = n: source subtask i feeds target subtask i;
 * - m < n: source subtask i feeds target subtasks floor(i*n/m) ..
 *   floor((i+1)*n/m) - 1 (each target has exactly one source);
 * - m > n: target subtask j is fed by source subtasks floor(j*m/n) ..
 *   floor((j+1)*m/n) - 1 (each source feeds exactly one target).
 *
 * A source subtask's partition has one subpartition per target it feeds, in
 * ascending target order: subpartition k goes to pointwiseTargets(...)[k].
 */

/** The target subtasks that source subtask `sourceIndex` feeds, ascending. */
export function pointwiseTargets(sourceIndex: number, sourceParallelism: number, targetParallelism: number): number[] {
  const m = sourceParallelism;
  const n = targetParallelism;
  if (m === n) return [sourceIndex];
  if (m < n) {
    const start = Math.floor((sourceIndex * n) / m);
    const end = Math.floor(((sourceIndex + 1) * n) / m);
    return range(start, end);
  }
  // m > n: the one target whose source range holds sourceIndex.
  for (let j = 0; j < n; j++) {
    if (sourceIndex < Math.floor(((j + 1) * m) / n)) return [j];
  }
  return [];
}

/** The source subtasks that feed target subtask `targetIndex`, ascending. */
export function pointwiseSources(targetIndex: number, sourceParallelism: number, targetParallelism: number): number[] {
  const m = sourceParallelism;
  const n = targetParallelism;
  if (m === n) return [targetIndex];
  if (m > n) {
    return range(Math.floor((targetIndex * m) / n), Math.floor(((targetIndex + 1) * m) / n));
  }
  for (let i = 0; i < m; i++) {
    if (targetIndex < Math.floor(((i + 1) * n) / m)) return [i];
  }
  return [];
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, k) => start + k);
}
