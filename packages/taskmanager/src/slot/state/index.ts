export {
  HeapKeyedStateBackend,
  type HeapKeyedStateBackendOptions,
  type KeyGroupStats,
} from './heap-keyed-state-backend.js';
export type { StateKind } from './key-group-store.js';
export {
  EMPTY_KEY_GROUP_SNAPSHOT,
  keyGroupSnapshotOf,
  type KeyGroupSnapshot,
} from './key-group-snapshot.js';
export {
  ProcessingTimeTimerService,
  type FiredTimer,
  type ProcessingTimeTimerServiceOptions,
} from './processing-time-timer-service.js';
export { createRuntimeContext, type RuntimeContextOptions } from './runtime-context.js';
export {
  KeyGroupNotOwnedError,
  NoCurrentKeyError,
  InvalidStateDescriptorError,
  StateKindMismatchError,
  StateSnapshotError,
  StateTtlMismatchError,
  type StateErrorCode,
} from './errors.js';
export { KEYED_STATE_FORMAT, TIMERS_FORMAT } from './snapshot-codec.js';
export { KeyedTimers } from './keyed-timers.js';
