export { TaskManager, type TaskManagerStarted } from './control/taskmanager.js';
export { LeaderSessionGuard } from './control/fencing/leader-session-guard.js';
export { SlotTable } from './control/slots/slot-table.js';
export * from './network/index.js';
/** The keyed state backend slots run on (for benchmarks of it). */
export { HeapKeyedStateBackend, ProcessingTimeTimerService } from './slot/state/index.js';
/** The record copier (for benchmarks of it; UnserializableRecordError is exported with the network). */
export { copyRecord, createRecordCopier, createRecordCopySite, type RecordCopyContext, type RecordCopySite } from './records/index.js';
/** Operator chains as slots build them (for benchmarks of what they cost per record). */
export { buildOperatorChain } from './slot/task/operator-chain.js';
