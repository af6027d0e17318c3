/**
 * The splits a source's enumerator assigned, by the checkpoint they belong
 * to (Flink's SplitAssignmentTracker). A split assigned after the snapshot
 * of checkpoint N is in neither N's enumerator state nor — possibly — in N's
 * reader state, so when a reader restarts from N those splits are handed
 * back to the enumerator (`addSplitsBack`) to be assigned again.
 *
 * Invariants:
 * - `uncheckpointed` holds the assignments made since the last snapshot;
 *   `onCheckpoint(N)` moves them under N; `onCheckpointComplete(N)` drops
 *   every bucket up to N (those splits are in N's reader states);
 * - `takeUncheckpointed(subtask, restoredFrom)` removes and returns the
 *   subtask's assignments of every checkpoint after `restoredFrom` (all of
 *   them when it restores from nothing), each split once.
 */
export class SplitAssignmentTracker<Split> {
  /** Checkpoint id -> subtask -> splits assigned before that checkpoint's snapshot (and after the previous one's). */
  private readonly byCheckpoint = new Map<number, Map<number, Split[]>>();
  private uncheckpointed = new Map<number, Split[]>();

  /** The enumerator assigned `splits` to `subtask`. */
  recordAssignment(subtask: number, splits: readonly Split[]): void {
    if (splits.length === 0) return;
    const list = this.uncheckpointed.get(subtask) ?? [];
    list.push(...splits);
    this.uncheckpointed.set(subtask, list);
  }

  /** The enumerator's state for `checkpointId` was just taken. */
  onCheckpoint(checkpointId: number): void {
    if (this.uncheckpointed.size > 0) this.byCheckpoint.set(checkpointId, this.uncheckpointed);
    this.uncheckpointed = new Map();
  }

  /** Checkpoint `checkpointId` completed: the assignments it covers are in its readers' states. */
  onCheckpointComplete(checkpointId: number): void {
    for (const id of [...this.byCheckpoint.keys()]) if (id <= checkpointId) this.byCheckpoint.delete(id);
  }

  /**
   * The splits assigned to `subtask` that the checkpoint it restores from
   * (`restoredFrom`, undefined: none) does not cover; they are forgotten here.
   */
  takeUncheckpointed(subtask: number, restoredFrom: number | undefined): Split[] {
    const taken: Split[] = [];
    for (const [id, assignments] of [...this.byCheckpoint].sort(([a], [b]) => a - b)) {
      if (restoredFrom !== undefined && id <= restoredFrom) continue;
      taken.push(...(assignments.get(subtask) ?? []));
      assignments.delete(subtask);
      if (assignments.size === 0) this.byCheckpoint.delete(id);
    }
    taken.push(...(this.uncheckpointed.get(subtask) ?? []));
    this.uncheckpointed.delete(subtask);
    return taken;
  }
}
