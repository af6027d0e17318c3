/**
 * What a TaskManager reports for one subtask when it acknowledges a checkpoint
 * (AcknowledgeCheckpointRequest.state_handles, as UTF-8 JSON), and the handle
 * types `_metadata` stores per subtask.
 *
 * Contract: the state bytes are already durable in storage when the
 * acknowledgement is sent; a handle only points at them. Keyed state and
 * timers are addressed per key group (a byte range of a file, so a restore can
 * fetch exactly the groups a subtask now owns); operator state (source
 * positions, in-progress sink files) is a small JSON value kept inline.
 */
import { z } from 'zod';
import { SubtaskStateSnapshotError } from './errors.js';
import { formatIssues } from './format-issues.js';
import { isRelativeStoragePath } from './snapshot-location.js';
import { SUBTASK_STATE_FORMAT } from './subtask-state-encoding.js';

export { SUBTASK_STATE_FORMAT, encodeSubtaskStateSnapshot } from './subtask-state-encoding.js';

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The bytes of one key group: `length` bytes at `offset` of the file at `path`. */
export interface KeyGroupStateHandle {
  readonly keyGroup: number;
  /**
   * Relative to the snapshot folder (the folder holding `_metadata`), or,
   * with `rootRelative`, to the root of the checkpoint storage: a data file
   * whose path got entropy (`s3.entropy.key`) lives outside the folder.
   */
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  readonly rootRelative?: boolean;
}

/**
 * Unaligned checkpoints: the in-flight records a subtask stored with its
 * snapshot (input channel state and output subpartition state), one byte
 * range of a file relative to the snapshot folder, kept with the chain's
 * head operator (channel-state-file.ts in the TaskManager reads it).
 */
export interface ChannelStateHandle {
  readonly path: string;
  readonly offset: number;
  readonly length: number;
}

/** The state of one operator of one subtask. */
export interface OperatorSubtaskState {
  /** The operator's id (its uid when given): how state is matched on restore. */
  readonly operatorId: string;
  /** Keyed state, one handle per key group that holds state; a missing group is empty. */
  readonly keyedState: readonly KeyGroupStateHandle[];
  /** Timers, one handle per key group that has timers. */
  readonly timers: readonly KeyGroupStateHandle[];
  /** Operator (non-keyed) state, null when none. Kept inline: keep it small. */
  readonly operatorState: JsonValue;
  /** Bytes this operator's state takes in storage (handles plus inline state). */
  readonly stateSize: number;
  /** Unaligned checkpoints: the subtask's in-flight records, on the head operator of its chain. */
  readonly channelState?: ChannelStateHandle;
}


/**
 * One acknowledgement's content: the state of the operators of the subtask's
 * chain that have state. Operators with no state may be left out.
 */
export interface SubtaskStateSnapshot {
  readonly format: typeof SUBTASK_STATE_FORMAT;
  readonly operators: readonly OperatorSubtaskState[];
}

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const keyGroupStateHandleSchema = z.strictObject({
  keyGroup: z.number().int().min(0).max(32767),
  path: z.string().refine(isRelativeStoragePath, 'must be a relative path without empty, "." or ".." segments'),
  offset: count,
  length: count,
  rootRelative: z.boolean().optional(),
});

const handleList = z.array(keyGroupStateHandleSchema).superRefine((handles, ctx) => {
  const seen = new Set<number>();
  for (const [i, handle] of handles.entries()) {
    if (seen.has(handle.keyGroup)) {
      ctx.addIssue({ code: 'custom', path: [i, 'keyGroup'], message: `key group ${handle.keyGroup} appears twice` });
    }
    seen.add(handle.keyGroup);
  }
});

export const channelStateHandleSchema = z.strictObject({
  path: z.string().refine(isRelativeStoragePath, 'must be a relative path without empty, "." or ".." segments'),
  offset: count,
  length: count,
});

/** Fields of an operator's state in one subtask, shared by acknowledgements and `_metadata`. */
export const operatorSubtaskStateFields = {
  keyedState: handleList,
  timers: handleList,
  operatorState: z.json(),
  stateSize: count,
  channelState: channelStateHandleSchema.optional(),
};

const subtaskStateSnapshotSchema = z.strictObject({
  format: z.literal(SUBTASK_STATE_FORMAT),
  operators: z
    .array(z.strictObject({ operatorId: z.string().min(1), ...operatorSubtaskStateFields }))
    .superRefine((operators, ctx) => {
      const seen = new Set<string>();
      for (const [i, operator] of operators.entries()) {
        if (seen.has(operator.operatorId)) {
          ctx.addIssue({ code: 'custom', path: [i, 'operatorId'], message: `operator ${JSON.stringify(operator.operatorId)} appears twice` });
        }
        seen.add(operator.operatorId);
      }
    }),
});


/**
 * Parses and validates acknowledgement bytes. Empty bytes mean a subtask with
 * no state (a snapshot with no operators). Throws SubtaskStateSnapshotError.
 */
export function decodeSubtaskStateSnapshot(bytes: Uint8Array | string): SubtaskStateSnapshot {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  if (text.trim() === '') return { format: SUBTASK_STATE_FORMAT, operators: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SubtaskStateSnapshotError(`subtask state snapshot is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const result = subtaskStateSnapshotSchema.safeParse(raw);
  if (!result.success) throw new SubtaskStateSnapshotError(`invalid subtask state snapshot: ${formatIssues(result.error)}`);
  return result.data as SubtaskStateSnapshot;
}
