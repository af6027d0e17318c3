/** Moved to records/ (what a record may contain is not only the network's concern: chains copy records by the same rules). */
export * from '../records/serializable-values.js';
