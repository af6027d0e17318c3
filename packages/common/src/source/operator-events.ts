/**
 * Operator events of the Source API (Flink's OperatorEvent between a
 * SourceOperator and its SourceCoordinator): what a source reader and the
 * split enumerator of its source send each other. They travel as bytes —
 * TaskManager slot thread -> control thread -> gRPC -> JobManager -> the
 * job's source-coordinator thread, and back — and only the two ends decode
 * them, so splits and user events are plain data (MessagePack, with Map,
 * Set, Date, bigint and typed arrays kept).
 *
 * Invariant: the events between one reader attempt and its enumerator are
 * delivered in the order they were sent (each side sends one at a time per
 * attempt), so a reader never sees `no-more-splits` before splits sent ahead.
 */
import { Packr } from 'msgpackr';

/** Reader -> enumerator. */
export type ReaderEvent =
  /** The reader started (sent once per attempt, before any other event). */
  | { readonly kind: 'reader-registration'; readonly subtask: number; readonly location: string }
  | { readonly kind: 'split-request'; readonly subtask: number; readonly hostname: string | undefined }
  | { readonly kind: 'source-event'; readonly subtask: number; readonly event: unknown };

/** Enumerator -> reader. */
export type EnumeratorEvent =
  | { readonly kind: 'add-splits'; readonly splits: readonly unknown[] }
  | { readonly kind: 'no-more-splits' }
  | { readonly kind: 'source-event'; readonly event: unknown };

const packr = new Packr({ mapsAsObjects: false, moreTypes: true, int64AsType: 'bigint' });

/** The bytes of an operator event, in a buffer of their own (transferable). */
export function encodeOperatorEvent(event: ReaderEvent | EnumeratorEvent): Uint8Array {
  const packed = packr.pack(event);
  const owned = new Uint8Array(packed.byteLength);
  owned.set(packed);
  return owned;
}

export function decodeReaderEvent(bytes: Uint8Array): ReaderEvent {
  const event = packr.unpack(bytes) as ReaderEvent;
  if (event?.kind !== 'reader-registration' && event?.kind !== 'split-request' && event?.kind !== 'source-event') {
    throw new Error(`not a source reader event: ${JSON.stringify((event as { kind?: unknown } | undefined)?.kind)}`);
  }
  return event;
}

export function decodeEnumeratorEvent(bytes: Uint8Array): EnumeratorEvent {
  const event = packr.unpack(bytes) as EnumeratorEvent;
  if (event?.kind !== 'add-splits' && event?.kind !== 'no-more-splits' && event?.kind !== 'source-event') {
    throw new Error(`not a split enumerator event: ${JSON.stringify((event as { kind?: unknown } | undefined)?.kind)}`);
  }
  return event;
}

/** Plain data (splits, enumerator checkpoints) to bytes and back, as operator events encode it. */
export function encodeSourceData(value: unknown): Uint8Array {
  const packed = packr.pack(value);
  const owned = new Uint8Array(packed.byteLength);
  owned.set(packed);
  return owned;
}

export function decodeSourceData(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
