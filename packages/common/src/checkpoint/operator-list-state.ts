/**
 * Operator (non-keyed) list state of user functions, as it travels inline in
 * a checkpoint's metadata, and how it is redistributed on restore (Flink's
 * operator state repartitioning).
 *
 * One subtask's state is `{ format, lists: [{ name, mode, elements }] }`;
 * `elements` are opaque strings (the TaskManager's encoding of each element),
 * so the JobManager redistributes without decoding a value.
 *
 * Redistribution, for the new subtask i of p:
 *  - `split` lists (getListState): at unchanged parallelism each subtask gets
 *    its own elements back; after a rescale the elements of all old subtasks
 *    are concatenated in old subtask order and cut into p contiguous parts,
 *    sizes differing by at most one (the first `total mod p` parts one
 *    larger). Every element is restored exactly once.
 *  - `union` lists (getUnionListState): every subtask gets the concatenation
 *    of all old subtasks' elements, also at unchanged parallelism (as Flink).
 */
import { CheckpointRestoreError } from './errors.js';
import type { JsonValue } from './state-handles.js';

export const OPERATOR_LIST_STATE_FORMAT = 'rivulet.operator-list-state.v1';

export type OperatorListMode = 'split' | 'union';

export interface OperatorListStateEntry {
  readonly name: string;
  readonly mode: OperatorListMode;
  readonly elements: readonly string[];
}

export interface OperatorListStateSnapshot {
  readonly format: typeof OPERATOR_LIST_STATE_FORMAT;
  readonly lists: readonly OperatorListStateEntry[];
}

export function isOperatorListStateSnapshot(value: unknown): value is OperatorListStateSnapshot {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === OPERATOR_LIST_STATE_FORMAT;
}

/** Checks the shape of a snapshot read from metadata; throws CheckpointRestoreError naming the operator. */
function checkSnapshot(operatorId: string, value: OperatorListStateSnapshot): OperatorListStateSnapshot {
  const bad = (what: string): never => {
    throw new CheckpointRestoreError(`operator ${JSON.stringify(operatorId)}: its operator list state ${what}`, operatorId);
  };
  if (!Array.isArray(value.lists)) bad('has no lists');
  for (const list of value.lists) {
    if (typeof list?.name !== 'string' || list.name === '') bad('has a list without a name');
    if (list.mode !== 'split' && list.mode !== 'union') bad(`list ${JSON.stringify(list.name)} has mode ${JSON.stringify(list.mode)} (expected split or union)`);
    if (!Array.isArray(list.elements) || list.elements.some((e) => typeof e !== 'string')) bad(`list ${JSON.stringify(list.name)} has elements that are not encoded strings`);
  }
  return value;
}

/**
 * The operator list state of each new subtask (index = new subtask index),
 * from the non-null states of the old subtasks (any order; sorted here).
 */
export function redistributeOperatorListState(
  operatorId: string,
  previous: readonly { readonly subtaskIndex: number; readonly state: JsonValue }[],
  parallelism: number,
  rescaled: boolean,
): OperatorListStateSnapshot[] {
  const old = [...previous]
    .sort((a, b) => a.subtaskIndex - b.subtaskIndex)
    .map((p) => ({ subtaskIndex: p.subtaskIndex, snapshot: checkSnapshot(operatorId, p.state as unknown as OperatorListStateSnapshot) }));
  const modes = new Map<string, OperatorListMode>();
  for (const { snapshot } of old) {
    for (const list of snapshot.lists) {
      const mode = modes.get(list.name);
      if (mode !== undefined && mode !== list.mode) {
        throw new CheckpointRestoreError(
          `operator ${JSON.stringify(operatorId)}: list state ${JSON.stringify(list.name)} is a ${mode} list in one subtask and a ${list.mode} list in another`,
          operatorId,
        );
      }
      modes.set(list.name, list.mode);
    }
  }
  const shares: OperatorListStateEntry[][] = Array.from({ length: parallelism }, () => []);
  for (const [name, mode] of modes) {
    const elementsOf = (s: OperatorListStateSnapshot): readonly string[] => s.lists.find((l) => l.name === name)?.elements ?? [];
    const all = old.flatMap(({ snapshot }) => elementsOf(snapshot));
    for (let i = 0; i < parallelism; i++) {
      let elements: readonly string[];
      if (mode === 'union') {
        elements = all;
      } else if (!rescaled) {
        const own = old.find((o) => o.subtaskIndex === i);
        elements = own === undefined ? [] : elementsOf(own.snapshot);
      } else {
        const base = Math.floor(all.length / parallelism);
        const extra = all.length % parallelism;
        const start = i * base + Math.min(i, extra);
        elements = all.slice(start, start + base + (i < extra ? 1 : 0));
      }
      shares[i]!.push({ name, mode, elements });
    }
  }
  return shares.map((lists) => ({ format: OPERATOR_LIST_STATE_FORMAT, lists }));
}

/** Several snapshots for one subtask as one (lists of the same name concatenated in the given order). */
export function mergeOperatorListStates(states: readonly OperatorListStateSnapshot[]): OperatorListStateSnapshot {
  const lists = new Map<string, { mode: OperatorListMode; elements: string[] }>();
  for (const state of states) {
    for (const list of state.lists) {
      const merged = lists.get(list.name);
      if (merged === undefined) lists.set(list.name, { mode: list.mode, elements: [...list.elements] });
      else merged.elements.push(...list.elements);
    }
  }
  return { format: OPERATOR_LIST_STATE_FORMAT, lists: [...lists].map(([name, { mode, elements }]) => ({ name, mode, elements })) };
}
