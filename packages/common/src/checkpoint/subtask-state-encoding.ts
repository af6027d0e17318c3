/**
 * Writing an acknowledgement's content (state-handles.ts reads and validates
 * it): apart from the validation so that slot threads, which only write
 * acknowledgements, do not load zod.
 */
import type { SubtaskStateSnapshot } from './state-handles.js';

export const SUBTASK_STATE_FORMAT = 'rivulet.subtask-state.v1';

export function encodeSubtaskStateSnapshot(snapshot: SubtaskStateSnapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(snapshot));
}
