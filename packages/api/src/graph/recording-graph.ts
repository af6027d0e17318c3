import { JobGraphError } from '../errors.js';
import type { CustomPartitioning, OperatorFunctions } from '../functions.js';
import type { OperatorKind, Partitioning } from './job-graph.js';

/**
 * What the API calls record while a job's build function runs: operators in
 * creation order with their inputs and settings. Ids, the job's default
 * parallelism and 'forward' vs 'rebalance' are decided later, by
 * compileRecording, once every setParallelism call has been made.
 *
 * Invariants: operators are appended in creation order and an operator's
 * inputs were created before it, so the order is topological; once sealed
 * (the build function returned) the recording refuses every change.
 */

/** How the edge into an operator partitions; 'default' becomes 'forward' or 'rebalance' at compile time. */
export type PartitioningHint = 'default' | Exclude<Partitioning, 'forward'>;

export interface RecordedInput {
  readonly source: RecordedOperator;
  readonly partitioning: PartitioningHint;
  /** Set exactly when partitioning is 'custom' (partitionCustom). */
  readonly customPartitioning?: CustomPartitioning;
  /** Set when the input is a side output of the source (getSideOutput(tag)): the tag's id. */
  readonly sideOutput?: string;
  /** 2: the edge feeds the second input of a two-input operator (connect); absent: the first. */
  readonly input?: 2;
}

export interface RecordedOperator {
  /** Creation index in the job, from 0; part of the derived id. */
  readonly index: number;
  readonly kind: OperatorKind;
  readonly variant: string;
  readonly keyed: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly functions: OperatorFunctions;
  readonly inputs: readonly RecordedInput[];
  uid: string | null;
  name: string;
  /** null: the job's default parallelism. */
  parallelism: number | null;
}

export type OperatorSpec = Omit<RecordedOperator, 'index' | 'uid' | 'parallelism'> & {
  readonly parallelism?: number | null;
};

export class RecordingGraph {
  readonly operators: RecordedOperator[] = [];
  /** Set by env.setParallelism; null: the compile option's default. */
  defaultParallelism: number | null = null;
  /** Set by env.setMaxParallelism; null: the compile option's, else 128. */
  maxParallelism: number | null = null;
  /** Set by env.enableObjectReuse / disableObjectReuse; null: the compile option's, else false. */
  objectReuse: boolean | null = null;
  /** Set by env.setAutoWatermarkInterval; null: the compile option's, else 200. */
  autoWatermarkIntervalMs: number | null = null;
  #sealed = false;

  add(spec: OperatorSpec): RecordedOperator {
    this.assertOpen();
    const operator: RecordedOperator = { ...spec, index: this.operators.length, uid: null, parallelism: spec.parallelism ?? null };
    this.operators.push(operator);
    return operator;
  }

  /** Called when the build function returns: later API calls are refused. */
  seal(): void {
    this.#sealed = true;
  }

  /** Throws when the build function has returned: a graph cannot change after compile. */
  assertOpen(): void {
    if (this.#sealed) {
      throw new JobGraphError(
        'ILLEGAL_BUILD',
        'the job graph was changed after the build function returned; build the whole graph synchronously inside defineJob(...)',
      );
    }
  }
}
