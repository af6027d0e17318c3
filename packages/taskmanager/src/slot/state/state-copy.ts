import { copyRecord } from '../../records/record-copy.js';

const STATE_COPY = { owner: 'keyed state' };

/**
 * A deep copy of a state value, as the record copier makes it; a value a
 * record may not hold (a class instance) is cloned structurally, and one
 * that cannot be cloned at all is returned as it is (shared, as the heap
 * backend stored it before copy on read), so reading state never fails
 * because a snapshot is being written.
 */
export function copyOfState<V>(value: V): V {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return copyRecord(value, STATE_COPY);
  } catch {
    try {
      return structuredClone(value);
    } catch {
      return value;
    }
  }
}
