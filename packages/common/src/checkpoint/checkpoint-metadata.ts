/**
 * The `_metadata` file of a checkpoint or savepoint: versioned JSON describing
 * every operator's state by operator id (uid), so a restore can match state
 * to operators and redistribute key groups at any parallelism.
 *
 * Invariants (checked when written and when read; a violation on read is a
 * CheckpointMetadataError naming the file):
 * - operator ids are unique; 1 ≤ parallelism ≤ maxParallelism;
 * - `subtasks` has one entry per subtask, entry i for subtask i;
 * - a keyed operator carries the ring's assignment table of its subtasks
 *   (members "0".."p-1", numberOfKeyGroups = maxParallelism), and every keyed
 *   or timer handle of subtask i is for a key group that subtask i owns;
 *   an operator without a table has no keyed or timer handles;
 * - `stateSize` is the sum of the subtasks' sizes.
 * Metadata is written last: a snapshot folder without it holds no snapshot.
 */
import { z } from 'zod';
import { AssignmentTable, type SerializedAssignmentTable } from '../keygroups/assignment-table.js';
import { CheckpointMetadataError } from './errors.js';
import { formatIssues } from './format-issues.js';
import { operatorSubtaskStateFields, type ChannelStateHandle, type KeyGroupStateHandle, type JsonValue } from './state-handles.js';

export const CHECKPOINT_METADATA_FORMAT = 'rivulet.checkpoint-metadata';
/** The version this build writes and the only one it reads; bump on any change of shape. */
export const CHECKPOINT_METADATA_VERSION = 1;

/** The ring member id of subtask i: the same convention as the JobManager's deployment (`String(i)`). */
export const subtaskMemberId = (subtaskIndex: number): string => String(subtaskIndex);

/** The state of one subtask of one operator. */
export interface SubtaskState {
  readonly subtaskIndex: number;
  readonly keyedState: readonly KeyGroupStateHandle[];
  readonly timers: readonly KeyGroupStateHandle[];
  readonly operatorState: JsonValue;
  readonly stateSize: number;
  /** Unaligned checkpoints: the subtask's in-flight records (on its chain's head operator). */
  readonly channelState?: ChannelStateHandle;
}

export interface OperatorState {
  /** The operator's id: its uid when the job gave one. */
  readonly operatorId: string;
  readonly parallelism: number;
  /** The key-group assignment in force for a keyed operator; absent when not keyed. */
  readonly keyGroupAssignment?: SerializedAssignmentTable;
  /** Index = subtask index; length = parallelism. */
  readonly subtasks: readonly SubtaskState[];
  /**
   * A fromSource operator's split enumerator checkpoint (MessagePack,
   * base64), taken before its readers were triggered; absent for other
   * operators. Optional, so metadata written before it existed still reads.
   */
  readonly coordinatorState?: string;
}

export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_METADATA_FORMAT;
  readonly version: typeof CHECKPOINT_METADATA_VERSION;
  readonly jobId: string;
  readonly checkpointId: number;
  /** Epoch milliseconds when the JobManager triggered it. */
  readonly triggerTimestamp: number;
  /** Epoch milliseconds when the last acknowledgement arrived. */
  readonly completionTimestamp: number;
  readonly savepoint: boolean;
  /** Number of key groups of the job; fixed for the life of its state. */
  readonly maxParallelism: number;
  /** Bytes of state, all operators and subtasks. */
  readonly stateSize: number;
  readonly operators: readonly OperatorState[];
}

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const metadataSchemaV1 = z.strictObject({
  format: z.literal(CHECKPOINT_METADATA_FORMAT),
  version: z.literal(CHECKPOINT_METADATA_VERSION),
  jobId: z.string().min(1),
  checkpointId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  triggerTimestamp: count,
  completionTimestamp: count,
  savepoint: z.boolean(),
  maxParallelism: z.number().int().min(1).max(32768),
  stateSize: count,
  operators: z.array(
    z.strictObject({
      operatorId: z.string().min(1),
      parallelism: z.number().int().min(1).max(32768),
      keyGroupAssignment: z.unknown().optional(),
      coordinatorState: z.string().optional(),
      subtasks: z.array(z.strictObject({ subtaskIndex: count, ...operatorSubtaskStateFields })),
    }),
  ),
});

/** Validates and serializes; throws Error when `metadata` breaks an invariant (a bug of the writer). */
export function encodeMetadata(metadata: CheckpointMetadata): Uint8Array {
  const problem = schemaProblem(metadata) ?? invariantProblem(metadata);
  if (problem !== undefined) throw new Error(`refusing to write invalid checkpoint metadata: ${problem}`);
  return new TextEncoder().encode(JSON.stringify(metadata));
}

/**
 * Parses `_metadata` bytes read from `path` (used only in error messages).
 * Throws CheckpointMetadataError naming `path` for empty, non-JSON, foreign,
 * newer-version or invalid content.
 */
export function decodeMetadata(bytes: Uint8Array | string, path: string): CheckpointMetadata {
  const fail = (reason: string, cause?: unknown): never => {
    throw new CheckpointMetadataError(path, reason, { cause });
  };
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  if (text.trim() === '') fail('the file is empty (an interrupted write?)');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(`the file is not JSON (corrupted or truncated): ${(err as Error).message}`, err);
  }
  const head = (typeof raw === 'object' && raw !== null ? raw : {}) as { format?: unknown; version?: unknown };
  if (head.format !== CHECKPOINT_METADATA_FORMAT) {
    fail(`not Rivulet checkpoint metadata (format ${JSON.stringify(head.format) ?? 'missing'}, expected "${CHECKPOINT_METADATA_FORMAT}")`);
  }
  if (head.version !== CHECKPOINT_METADATA_VERSION) {
    const newer = typeof head.version === 'number' && head.version > CHECKPOINT_METADATA_VERSION;
    fail(newer
      ? `written by a newer Rivulet (format version ${String(head.version)}; this one reads version ${CHECKPOINT_METADATA_VERSION})`
      : `unknown format version ${JSON.stringify(head.version) ?? 'missing'}`);
  }
  const parsed = metadataSchemaV1.safeParse(raw);
  if (!parsed.success) fail(`invalid: ${formatIssues(parsed.error)}`);
  const metadata = parsed.data as unknown as CheckpointMetadata;
  const problem = invariantProblem(metadata);
  if (problem !== undefined) fail(`invalid: ${problem}`);
  return metadata;
}

/** The assignment table of a keyed operator, undefined when not keyed. The metadata must have been validated. */
export function keyGroupAssignmentOf(operator: OperatorState): AssignmentTable | undefined {
  return operator.keyGroupAssignment === undefined ? undefined : AssignmentTable.fromJSON(operator.keyGroupAssignment);
}

function schemaProblem(metadata: CheckpointMetadata): string | undefined {
  const parsed = metadataSchemaV1.safeParse(metadata);
  return parsed.success ? undefined : formatIssues(parsed.error);
}

/** The first broken invariant (see the module comment), or undefined. */
function invariantProblem(metadata: CheckpointMetadata): string | undefined {
  const seen = new Set<string>();
  let total = 0;
  for (const [i, operator] of metadata.operators.entries()) {
    const where = `operators[${i}] (${JSON.stringify(operator.operatorId)})`;
    if (seen.has(operator.operatorId)) return `${where}: operator id appears twice`;
    seen.add(operator.operatorId);
    if (operator.parallelism > metadata.maxParallelism) {
      return `${where}: parallelism ${operator.parallelism} is above maxParallelism ${metadata.maxParallelism}`;
    }
    if (operator.subtasks.length !== operator.parallelism) {
      return `${where}: ${operator.subtasks.length} subtasks for parallelism ${operator.parallelism}`;
    }
    let table: AssignmentTable | undefined;
    if (operator.keyGroupAssignment !== undefined) {
      try {
        table = AssignmentTable.fromJSON(operator.keyGroupAssignment);
      } catch (err) {
        return `${where}.keyGroupAssignment: ${(err as Error).message}`;
      }
      const problem = tableProblem(table, operator.parallelism, metadata.maxParallelism);
      if (problem !== undefined) return `${where}.keyGroupAssignment: ${problem}`;
    }
    for (const [s, subtask] of operator.subtasks.entries()) {
      if (subtask.subtaskIndex !== s) return `${where}.subtasks[${s}]: has subtaskIndex ${subtask.subtaskIndex}`;
      for (const kind of ['keyedState', 'timers'] as const) {
        for (const handle of subtask[kind]) {
          if (table === undefined) return `${where}.subtasks[${s}].${kind}: an operator without key groups has keyed handles`;
          if (handle.keyGroup >= metadata.maxParallelism || table.ownerOf(handle.keyGroup) !== subtaskMemberId(s)) {
            return `${where}.subtasks[${s}].${kind}: key group ${handle.keyGroup} is not owned by subtask ${s}`;
          }
        }
      }
      total += subtask.stateSize;
    }
  }
  if (total !== metadata.stateSize) return `stateSize ${metadata.stateSize} is not the sum of the subtasks' sizes (${total})`;
  return undefined;
}

function tableProblem(table: AssignmentTable, parallelism: number, maxParallelism: number): string | undefined {
  if (table.numberOfKeyGroups !== maxParallelism) {
    return `has ${table.numberOfKeyGroups} key groups, maxParallelism is ${maxParallelism}`;
  }
  const expected = new Set(Array.from({ length: parallelism }, (_, i) => subtaskMemberId(i)));
  if (table.members.length !== expected.size || table.members.some((m) => !expected.has(m))) {
    return `members ${JSON.stringify(table.members)} are not the ${parallelism} subtasks`;
  }
  return undefined;
}
