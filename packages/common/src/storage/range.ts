import { CheckpointStorageError } from './errors.js';

/** Offsets and lengths are non-negative safe integers; checked the same way on both backends. */
export function checkRange(offset: number, length: number, uri: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new CheckpointStorageError('INVALID_RANGE', 'getRange', uri, `offset ${offset} and length ${length} must be non-negative integers`);
  }
}

export function rangeError(uri: string, offset: number, length: number, size: number): CheckpointStorageError {
  return new CheckpointStorageError(
    'INVALID_RANGE',
    'getRange',
    uri,
    `bytes ${offset}..${offset + length - 1} asked for, but the object holds ${size} bytes`,
  );
}
