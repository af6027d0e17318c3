/**
 * Records as the runtime hands them between operators: what a record may
 * contain (serializable-values.ts), the error when it may not, and the copy
 * taken wherever the runtime keeps or shares a reference (record-copy.ts).
 */
export { copyRecord, createRecordCopier, createRecordCopySite, unserializableRecord, type RecordCopyContext, type RecordCopySite } from './record-copy.js';
export { UnserializableRecordError, type UnserializableRecordDetails } from './errors.js';
export { findOffence, isRejectedObject, type Offence } from './serializable-values.js';
