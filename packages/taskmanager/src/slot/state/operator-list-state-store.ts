/**
 * Operator (non-keyed) list state of one parallel instance of a user
 * function (Flink's DefaultOperatorStateBackend, list kinds only): named
 * lists, each either `split` (getListState: redistributed evenly on rescale)
 * or `union` (getUnionListState: every instance gets all of it).
 *
 * `snapshot()` encodes every element at once (msgpackr, base64 — the state
 * travels inline in the checkpoint metadata, so keep it small), so what a
 * function changes after the barrier is not in it. Lists restored but never
 * asked for again are kept and snapshotted again (as Flink keeps them).
 * Elements may be what a record may hold (MessagePack with msgpackr's
 * extensions, as keyed state); an element that cannot be encoded fails the
 * snapshot (the checkpoint is declined, naming operator and list).
 */
import type { ListState, OperatorStateStore } from '@rivulet/api';
import { OPERATOR_LIST_STATE_FORMAT, type OperatorListMode, type OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import { Packr } from 'msgpackr';
import { copyRecord } from '../../records/record-copy.js';

const packr = new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });
const EMPTY: readonly never[] = Object.freeze([]);

interface OperatorList {
  readonly mode: OperatorListMode;
  values: unknown[];
  state: ListState<unknown> | undefined;
}

export class OperatorListStateStore implements OperatorStateStore {
  private readonly lists = new Map<string, OperatorList>();

  constructor(
    private readonly operatorId: string,
    restored?: OperatorListStateSnapshot,
  ) {
    for (const list of restored?.lists ?? []) {
      let values: unknown[];
      try {
        values = list.elements.map((e) => packr.unpack(Buffer.from(e, 'base64')) as unknown);
      } catch (cause) {
        throw new Error(`operator "${operatorId}": list state "${list.name}" cannot be restored: ${(cause as Error).message}`, { cause });
      }
      this.lists.set(list.name, { mode: list.mode, values, state: undefined });
    }
  }

  getListState<T>(name: string): ListState<T> {
    return this.list(name, 'split') as ListState<T>;
  }

  getUnionListState<T>(name: string): ListState<T> {
    return this.list(name, 'union') as ListState<T>;
  }

  /** Names of the lists and their modes (tests, logs). */
  listNames(): { name: string; mode: OperatorListMode }[] {
    return [...this.lists].map(([name, { mode }]) => ({ name, mode }));
  }

  /** The lists as they are now, encoded; null when there are none. */
  snapshot(): OperatorListStateSnapshot | null {
    if (this.lists.size === 0) return null;
    const lists = [...this.lists].map(([name, list]) => {
      let elements: string[];
      try {
        // msgpackr would drop a function silently: an element must be what a record may hold (the record copier checks it).
        elements = list.values.map((v) => Buffer.from(packr.pack(typeof v === 'object' || typeof v === 'function' ? copyRecord(v, { owner: `list state "${name}"` }) : v)).toString('base64'));
      } catch (cause) {
        throw new Error(`operator "${this.operatorId}": list state "${name}" holds an element that cannot be stored: ${(cause as Error).message}`, { cause });
      }
      return { name, mode: list.mode, elements };
    });
    return { format: OPERATOR_LIST_STATE_FORMAT, lists };
  }

  private list(name: string, mode: OperatorListMode): ListState<unknown> {
    const getter = mode === 'split' ? 'getListState' : 'getUnionListState';
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`operator "${this.operatorId}": ${getter} needs a non-empty name, got ${JSON.stringify(name)}`);
    }
    let list = this.lists.get(name);
    if (list === undefined) {
      list = { mode, values: [], state: undefined };
      this.lists.set(name, list);
    } else if (list.mode !== mode) {
      throw new TypeError(
        `operator "${this.operatorId}": list state "${name}" is a ${list.mode === 'split' ? 'list state (getListState)' : 'union list state (getUnionListState)'}, ` +
          `it cannot be used through ${getter}`,
      );
    }
    const owner = list;
    owner.state ??= {
      get: () => (owner.values.length === 0 ? EMPTY : owner.values),
      add: (value) => {
        owner.values.push(value);
      },
      update: (values) => {
        if (!Array.isArray(values)) throw new TypeError(`operator "${this.operatorId}": list state "${name}".update() needs an array`);
        owner.values = values.slice();
      },
      clear: () => {
        owner.values = [];
      },
    };
    return owner.state;
  }
}
