/**
 * The logical job graph: what a job module's build function produces, what
 * the CLI submits and the JobManager schedules. Plain JSON (no functions):
 * the functions stay in the job bundle, and every process that needs them
 * (the CLI, each TaskManager) rebuilds the same graph from the same bundle,
 * matching operators by `id`.
 *
 * Invariant: building the same bundle with the same options yields the same
 * graph (same ids in the same order) in every process.
 */
export const JOB_GRAPH_VERSION = 1;

/** pipeline.auto-watermark-interval when neither the job nor its submission set it (Flink's 200 ms). */
export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

export type Partitioning =
  /** subtask i -> subtask i; requires equal parallelism. Chainable. */
  | 'forward'
  /** round-robin over all downstream subtasks. */
  | 'rebalance'
  /** by key group of the record's key (keyBy); routed by the key-group assignment table. */
  | 'hash'
  /** every record to every downstream subtask. */
  | 'broadcast'
  /**
   * round-robin over a subset of the downstream subtasks (Flink's
   * RescalePartitioner, a pointwise edge): see pointwiseTargets.
   */
  | 'rescale'
  /** each record to a downstream subtask chosen uniformly at random. */
  | 'shuffle'
  /** every record to downstream subtask 0. */
  | 'global'
  /** the subtask a user partitioner returns for the record's key (partitionCustom). */
  | 'custom';

/** Every partitioning, for parsers and validators of JSON graphs. */
export const PARTITIONINGS = ['forward', 'rebalance', 'hash', 'broadcast', 'rescale', 'shuffle', 'global', 'custom'] as const;

export type OperatorKind =
  | 'source'
  | 'map'
  | 'filter'
  | 'flatMap'
  | 'reduce'
  | 'process'
  /** assignTimestampsAndWatermarks(): assigns event timestamps and generates watermarks. */
  | 'timestamps'
  /** window(...).reduce/aggregate/process: a keyed window operator. */
  | 'window'
  /** connect(...).map(CoMapFunction): two inputs, not keyed. */
  | 'coMap'
  /** connect(...).flatMap(CoFlatMapFunction): two inputs, not keyed. */
  | 'coFlatMap'
  /** connect(...).process(CoProcessFunction), keyed when both inputs are (KeyedCoProcessFunction). */
  | 'coProcess'
  /** connect(broadcastStream).process(...): second input 'broadcast', keyed when the first input is. */
  | 'broadcastProcess'
  /** intervalJoin(...).between(...).process(ProcessJoinFunction): two keyed inputs. */
  | 'intervalJoin'
  | 'sink';

/** Every operator kind, for parsers and validators of JSON graphs. */
export const OPERATOR_KINDS = [
  'source', 'map', 'filter', 'flatMap', 'reduce', 'process', 'timestamps', 'window',
  'coMap', 'coFlatMap', 'coProcess', 'broadcastProcess', 'intervalJoin', 'sink',
] as const satisfies readonly OperatorKind[];

/** Operators with two logical inputs (Flink's TwoInputStreamOperator): their edges say which input they feed. */
export const TWO_INPUT_KINDS: ReadonlySet<OperatorKind> = new Set<OperatorKind>(['coMap', 'coFlatMap', 'coProcess', 'broadcastProcess', 'intervalJoin']);

export interface OperatorNode {
  /** Stable id: the user's uid() when given, else derived from kind and creation order. */
  readonly id: string;
  /** True when `id` came from uid() (state is matched to operators by uid). */
  readonly hasUserUid: boolean;
  readonly name: string;
  readonly kind: OperatorKind;
  /** Implementation within the kind, e.g. 'sequence', 'elements', 'textFile', 'print', 'file', 'collect', 'sum'. */
  readonly variant: string;
  /** null: the job's default parallelism. */
  readonly parallelism: number | null;
  /** True when the operator works on keyed state (its input edge is 'hash'). */
  readonly keyed: boolean;
  /** JSON parameters of the variant (sequence bounds, file path, ...). */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface StreamEdge {
  readonly source: string;
  readonly target: string;
  readonly partitioning: Partitioning;
  /** Set when the edge carries the source's side output of this OutputTag id instead of its main output. */
  readonly sideOutput?: string;
  /**
   * 2 when the edge feeds the second input of a two-input operator
   * (connect's argument, Flink's typeNumber 2); absent: the first (or only) input.
   */
  readonly input?: 2;
}

/** How a compiled job names an edge by its operators' ids (CompiledJob.partitioners). */
export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

export interface JobGraph {
  readonly version: typeof JOB_GRAPH_VERSION;
  readonly name: string;
  readonly defaultParallelism: number;
  /** Number of key groups; fixed for the life of the job's state. Default 128. */
  readonly maxParallelism: number;
  /** Operators in creation order (a topological order). */
  readonly operators: readonly OperatorNode[];
  readonly edges: readonly StreamEdge[];
  /** The job's arguments (`rivulet run JOB ARGS...`), given to every build of the job. */
  readonly args: readonly string[];
  /**
   * pipeline.object-reuse: operators hand records on without copies (the
   * user promises not to mutate them). Present only when true.
   */
  readonly objectReuse?: boolean;
  /** pipeline.auto-watermark-interval in ms (0: no periodic watermarks). Absent: 200. */
  readonly autoWatermarkIntervalMs?: number;
}
