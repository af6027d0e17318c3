export { TaskManager, type TaskManagerStarted } from './taskmanager.js';
export { LeaderSessionGuard } from './fencing/leader-session-guard.js';
export { SlotTable } from './slot/slot-table.js';
export * from './network/index.js';
