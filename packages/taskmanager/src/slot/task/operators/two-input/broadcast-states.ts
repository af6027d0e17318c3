import type { BroadcastState, BroadcastStateDescriptor } from '@rivulet/api';
import type { OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import { OperatorListStateStore } from '../../../state/operator-list-state-store.js';

/** The union list each broadcast state travels in: its entries as [key, value] pairs. */
const listNameOf = (name: string): string => `broadcast-state/${name}`;

/**
 * The broadcast states of one subtask (Flink's broadcast state, operator
 * state of the broadcast process operators): a map per descriptor named in
 * broadcast(...). Snapshotted as union list state, one list per descriptor,
 * so on restore every subtask — at any parallelism — gets the entries of all
 * old subtasks; they hold the same map (the function must change it the same
 * way everywhere), so rebuilding the map from them yields that map (later
 * copies of an entry overwrite equal ones). Keys compare as Map keys do:
 * use strings or numbers.
 */
export class BroadcastStates {
  private readonly maps = new Map<string, Map<unknown, unknown>>();
  private readonly states = new Map<string, BroadcastState<unknown, unknown>>();

  constructor(
    private readonly operator: string,
    descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[],
    restored: OperatorListStateSnapshot | undefined,
  ) {
    const store = restored ? new OperatorListStateStore(operator, restored) : undefined;
    for (const { name } of descriptors) {
      const map = new Map<unknown, unknown>();
      for (const entry of store?.getUnionListState<[unknown, unknown]>(listNameOf(name)).get() ?? []) map.set(entry[0], entry[1]);
      this.maps.set(name, map);
    }
  }

  /** The state of `descriptor`, read-write (processBroadcastElement) or not (processElement). */
  get(descriptor: BroadcastStateDescriptor<unknown, unknown>, writable: boolean): BroadcastState<unknown, unknown> {
    const name = (descriptor as { name?: unknown } | null)?.name;
    const map = typeof name === 'string' ? this.maps.get(name) : undefined;
    if (map === undefined || typeof name !== 'string') {
      throw new Error(
        `${this.operator}: no broadcast state ${JSON.stringify(name)}: name it in stream.broadcast(descriptor) ` +
          `(declared: ${[...this.maps.keys()].map((n) => `'${n}'`).join(', ')})`,
      );
    }
    const key = `${writable ? 'w' : 'r'}:${name}`;
    let state = this.states.get(key);
    if (state === undefined) {
      const readOnly = (what: string) => (): never => {
        throw new Error(`${this.operator}: broadcast state '${name}' is read-only in processElement (${what}); change it in processBroadcastElement`);
      };
      state = {
        get: (k) => map.get(k),
        contains: (k) => map.has(k),
        entries: () => map.entries(),
        keys: () => map.keys(),
        values: () => map.values(),
        isEmpty: () => map.size === 0,
        put: writable ? (k, v) => void map.set(k, v) : readOnly('put'),
        remove: writable ? (k) => void map.delete(k) : readOnly('remove'),
        clear: writable ? () => map.clear() : readOnly('clear'),
      };
      this.states.set(key, state);
    }
    return state;
  }

  /** Every broadcast state as union lists (null when none is declared). */
  snapshot(): OperatorListStateSnapshot | null {
    const store = new OperatorListStateStore(this.operator);
    for (const [name, map] of this.maps) store.getUnionListState<[unknown, unknown]>(listNameOf(name)).update([...map.entries()]);
    return store.snapshot();
  }
}
