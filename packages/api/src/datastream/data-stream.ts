import type {
  CustomPartitioning,
  FilterFunction,
  FlatMapFunction,
  KeySelector,
  MapFunction,
  Partitioner,
  ProcessFunction,
  SinkFunction,
} from '../functions.js';
import type { WatermarkStrategy } from '../eventtime/watermark-strategy.js';
import type { Sink } from '../connector/sink.js';
import type { OperatorSpec, PartitioningHint, RecordedInput, RecordedOperator, RecordingGraph } from '../graph/recording-graph.js';
import { JobGraphError } from '../errors.js';
import type { FilterFunctionObject, FlatMapFunctionObject, MapFunctionObject } from '../rich-functions.js';
import { perRecordFunction } from './user-function-objects.js';
import type { KeyValue } from '../record-types.js';
import { DataStreamSink } from './data-stream-sink.js';
import type { BroadcastStateDescriptor } from '../two-input-functions.js';
import { BroadcastConnectedStream, BroadcastStream, checkBroadcastDescriptors } from './broadcast-stream.js';
import { ConnectedStreams, requireDistinctInputs } from './connected-streams.js';
import { JoinedStreams } from './join.js';
import { OutputTag } from './output-tag.js';
// KeyedStream and this module import each other; neither uses the other at
// module evaluation time (only inside methods), so the cycle is safe.
import { KeyedStream } from './keyed-stream.js';
import {
  requireFunction,
  requireNonEmptyString,
  setOperatorName,
  setOperatorParallelism,
  setOperatorUid,
} from './operator-settings.js';

/** A user sink: a SinkFunction object, or just its `invoke`. */
export type SinkFunctionLike<T> = SinkFunction<T> | ((value: T) => void | Promise<void>);

type OperatorTemplate = Omit<OperatorSpec, 'inputs' | 'keyed'>;

/**
 * A stream of records of type T (Flink's DataStream). Each method records an
 * operator in the job graph and returns the stream it produces; nothing runs
 * until the job is submitted. The edge into the next operator is 'forward'
 * when both sides have the same parallelism and 'rebalance' otherwise,
 * unless a partitioning call (rebalance(), rescale(), shuffle(), global(),
 * broadcast(), partitionCustom(), keyBy()) chose it.
 */
export class DataStream<T> {
  protected readonly graph: RecordingGraph;
  /** The operator producing this stream (the first stream's, for a union). */
  protected readonly producer: RecordedOperator;
  /**
   * The edges the next operator gets, one per producer: one for a plain
   * stream, one per unioned stream for union() (Flink's union is no operator:
   * its consumer reads several edges).
   */
  readonly #origins: readonly RecordedInput[];
  /** Phantom member: keeps T part of the type even where no method mentions it. */
  declare readonly recordType?: T;

  /** @internal Created by the environment and by other streams; not for job code. */
  constructor(
    graph: RecordingGraph,
    producer: RecordedOperator,
    partitioning: PartitioningHint = 'default',
    customPartitioning?: CustomPartitioning,
    sideOutput?: string,
    /** Set for a union: the edges of every unioned stream (producer, partitioning and side output ignored then). */
    origins?: readonly RecordedInput[],
  ) {
    this.graph = graph;
    this.producer = producer;
    this.#origins = origins ?? [{
      source: producer,
      partitioning,
      ...(customPartitioning !== undefined ? { customPartitioning } : {}),
      ...(sideOutput !== undefined ? { sideOutput } : {}),
    }];
  }

  /** @internal The edges an operator reading this stream gets (connect, joins). */
  inputEdges(): readonly RecordedInput[] {
    return this.#origins;
  }

  /** @internal The graph this stream belongs to. */
  recordingGraph(): RecordingGraph {
    return this.graph;
  }

  /**
   * The records of this stream and of every stream given, as one stream
   * (Flink's union): no operator, the next operator reads every stream's
   * edge. Each stream keeps its own partitioning (a rebalance() before the
   * union applies to that stream); a partitioning or keyBy after it applies
   * to all. Watermarks: the minimum over all of them, as for any operator
   * with several input channels. A stream may not be unioned with itself.
   */
  union(...streams: DataStream<T>[]): DataStream<T> {
    this.graph.assertOpen();
    if (streams.length === 0) throw new JobGraphError('INVALID_ARGUMENT', 'union() needs at least one stream to union with');
    const origins = [...this.#origins];
    for (const [i, stream] of streams.entries()) {
      if (!(stream instanceof DataStream)) {
        throw new JobGraphError('INVALID_ARGUMENT', `union(): argument ${i + 1} is not a DataStream (a KeyedStream must be unioned before keyBy)`);
      }
      if (stream.graph !== this.graph) throw new JobGraphError('INVALID_ARGUMENT', `union(): argument ${i + 1} belongs to another job's environment`);
      for (const origin of stream.#origins) {
        if (origins.some((o) => o.source === origin.source && o.sideOutput === origin.sideOutput)) {
          throw new JobGraphError(
            'INVALID_ARGUMENT',
            `union(): the stream of operator '${origin.source.name}' is unioned with itself; give one copy an operator of its own, e.g. .map((v) => v)`,
          );
        }
        origins.push(origin);
      }
    }
    return new DataStream<T>(this.graph, this.producer, 'default', undefined, undefined, origins);
  }

  /** One output record for every input record. */
  map<R>(fn: MapFunction<T, R> | MapFunctionObject<T, R>): SingleOutputStreamOperator<R> {
    const functions = { kind: 'map', ...perRecordFunction<MapFunction<unknown, unknown>>(fn as never, 'map') } as const;
    return this.#connect<R>({ kind: 'map', variant: 'user', name: 'Map', params: {}, functions });
  }

  /** The records for which fn returns true. */
  filter(fn: FilterFunction<T> | FilterFunctionObject<T>): SingleOutputStreamOperator<T> {
    const functions = { kind: 'filter', ...perRecordFunction<FilterFunction<unknown>>(fn as never, 'filter') } as const;
    return this.#connect<T>({ kind: 'filter', variant: 'user', name: 'Filter', params: {}, functions });
  }

  /** Any number of output records per input: returned as an iterable (e.g. an array), emitted with out.collect, or both. */
  flatMap<R>(fn: FlatMapFunction<T, R> | FlatMapFunctionObject<T, R>): SingleOutputStreamOperator<R> {
    const functions = { kind: 'flatMap', ...perRecordFunction<FlatMapFunction<unknown, unknown>>(fn as never, 'flatMap') } as const;
    return this.#connect<R>({ kind: 'flatMap', variant: 'user', name: 'Flat Map', params: {}, functions });
  }

  /**
   * Per-record logic (Flink's ProcessFunction on a non-keyed stream): emits
   * any number of records through `out`; `open` gets a RuntimeContext
   * without keyed state, and the context has no timers (those need keyBy).
   * Chains like map.
   */
  process<O>(fn: ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    requireFunction(fn?.processElement, 'process() (the function\'s processElement)');
    const functions = { kind: 'process', keyed: false, fn: fn as unknown as ProcessFunction<unknown, unknown> } as const;
    return this.#connect<O>({ kind: 'process', variant: 'user', name: 'Process', params: {}, functions });
  }

  /**
   * Partitions by key: the next operator is keyed (keyed state, timers) and
   * every record with the same key reaches the same subtask. The key must be
   * a string, number, boolean, bigint or an array of these.
   */
  keyBy<K extends KeyValue>(selector: KeySelector<T, K>): KeyedStream<K, T> {
    requireFunction(selector, 'keyBy()');
    this.graph.assertOpen();
    return new KeyedStream<K, T>(this.graph, this.#origins, selector);
  }

  /**
   * Event time (Flink's assignTimestampsAndWatermarks): gives each record the
   * timestamp the strategy's assigner returns and emits the watermarks its
   * generator makes (on every record and every `pipeline.auto-watermark-interval`
   * ms). Watermarks arriving from upstream are dropped, except the final one
   * at the end of input. Chained to the operator before it.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    requireFunction(strategy?.createWatermarkGenerator, 'assignTimestampsAndWatermarks() (a WatermarkStrategy)');
    const functions = { kind: 'timestamps', strategy: strategy as unknown as WatermarkStrategy<unknown> } as const;
    return this.#connect<T>({ kind: 'timestamps', variant: 'strategy', name: 'Timestamps/Watermarks', params: { ...strategy.describe() }, functions });
  }

  /** Sends the records round-robin to the next operator's subtasks. */
  rebalance(): DataStream<T> {
    return this.#partitioned('rebalance');
  }

  /**
   * Sends the records round-robin to a subset of the next operator's
   * subtasks (Flink's rescale: a pointwise edge). With upstream parallelism
   * m and downstream n, upstream subtask i sends to downstream subtasks
   * floor(i*n/m) .. floor((i+1)*n/m)-1 when m <= n; when m > n, downstream
   * subtask j receives from upstream subtasks floor(j*m/n) .. floor((j+1)*m/n)-1.
   */
  rescale(): DataStream<T> {
    return this.#partitioned('rescale');
  }

  /** Sends each record to a subtask of the next operator chosen uniformly at random. */
  shuffle(): DataStream<T> {
    return this.#partitioned('shuffle');
  }

  /** Sends every record to subtask 0 of the next operator. */
  global(): DataStream<T> {
    return this.#partitioned('global');
  }

  /** Sends every record to every subtask of the next operator. */
  broadcast(): DataStream<T>;
  /**
   * The broadcast state pattern (Flink's broadcast(MapStateDescriptor...)):
   * a BroadcastStream to connect a stream to; the connected operator keeps
   * each descriptor's broadcast state.
   */
  broadcast(...descriptors: [BroadcastStateDescriptor<unknown, unknown>, ...BroadcastStateDescriptor<unknown, unknown>[]]): BroadcastStream<T>;
  broadcast(...descriptors: BroadcastStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const partitioned = this.#partitioned('broadcast');
    if (descriptors.length === 0) return partitioned;
    return new BroadcastStream<T>(this.graph, partitioned.#origins, checkBroadcastDescriptors(descriptors));
  }

  /**
   * Connects this stream with another (Flink's connect): one operator reads
   * both, each with its own method (ConnectedStreams). With a BroadcastStream:
   * the broadcast state pattern (BroadcastConnectedStream).
   */
  connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2>;
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  connect<T2>(other: DataStream<T2> | BroadcastStream<T2>): ConnectedStreams<T, T2> | BroadcastConnectedStream<T, T2> {
    this.graph.assertOpen();
    if (other instanceof BroadcastStream) {
      if (other.graph !== this.graph) throw new JobGraphError('INVALID_ARGUMENT', 'connect(): the broadcast stream belongs to another job\'s environment');
      return new BroadcastConnectedStream<T, T2>(this.graph, this.#origins, other);
    }
    if (!(other instanceof DataStream)) {
      throw new JobGraphError('INVALID_ARGUMENT', 'connect() needs a DataStream or a BroadcastStream (connect two keyed streams with keyedA.connect(keyedB))');
    }
    if (other.graph !== this.graph) throw new JobGraphError('INVALID_ARGUMENT', 'connect(): the other stream belongs to another job\'s environment');
    requireDistinctInputs('connect()', this.#origins, other.#origins);
    return new ConnectedStreams<T, T2>(this.graph, this.#origins, other.#origins);
  }

  /**
   * A window join (Flink's join): pairs of records of this stream and
   * `other` with equal keys in the same window: `.where(keyA).equalTo(keyB).window(assigner).apply(fn)`.
   */
  join<T2>(other: DataStream<T2>): JoinedStreams<T, T2> {
    this.graph.assertOpen();
    if (!(other instanceof DataStream)) throw new JobGraphError('INVALID_ARGUMENT', 'join() needs a DataStream');
    return new JoinedStreams<T, T2>(this, other);
  }

  /**
   * Sends each record to the subtask `partitioner(keySelector(record),
   * numPartitions)` of the next operator. A result that is not an integer in
   * [0, numPartitions) fails the task with an error naming the value.
   */
  partitionCustom<K>(partitioner: Partitioner<NoInfer<K>>, keySelector: KeySelector<T, K>): DataStream<T> {
    requireFunction(partitioner, 'partitionCustom() (the partitioner)');
    requireFunction(keySelector, 'partitionCustom() (the key selector)');
    this.graph.assertOpen();
    const custom: CustomPartitioning = {
      partitioner: partitioner as Partitioner<unknown>,
      keySelector: keySelector as KeySelector<unknown, unknown>,
    };
    return this.#repartitioned('custom', custom);
  }

  /** Prints each record to the TaskManager's stdout, as `prefix:subtask> record` when a prefix is given. */
  print(prefix?: string): DataStreamSink<T> {
    if (prefix !== undefined) requireNonEmptyString(prefix, 'print()', 'prefix');
    return this.#sink('print', 'Sink: Print', { prefix: prefix ?? null });
  }

  /** Writes one line per record into `dir`, one file per subtask. */
  writeAsText(dir: string): DataStreamSink<T> {
    requireNonEmptyString(dir, 'writeAsText()', 'directory');
    return this.#sink('file', 'Sink: Text File', { dir });
  }

  /**
   * Returns the records to the client under `name` when the job ends (for
   * tests and small results); every collect() of a job needs its own name.
   */
  collect(name: string): DataStreamSink<T> {
    requireNonEmptyString(name, 'collect()', 'name');
    return this.#sink('collect', `Sink: Collect ${name}`, { name });
  }

  /** A user sink, called for every record of its subtask. */
  addSink(fn: SinkFunctionLike<T>): DataStreamSink<T> {
    const sink: SinkFunction<T> = typeof fn === 'function' ? { invoke: fn } : fn;
    requireFunction(sink?.invoke, 'addSink() (the sink\'s invoke)');
    return this.#sink('custom', 'Sink: Custom', {}, sink as SinkFunction<unknown>);
  }

  /**
   * Writes to a Sink (Flink's sinkTo, Sink V2): a writer per subtask and,
   * for a two-phase-commit sink, a committer that commits at completed
   * checkpoints. The sink object stays in the job bundle, not in the graph.
   */
  sinkTo<CommT = never, WriterStateT = never>(sink: Sink<T, CommT, WriterStateT>): DataStreamSink<T> {
    requireFunction(sink?.createWriter, 'sinkTo() (the sink\'s createWriter)');
    const functions = { kind: 'sink', sink: sink as unknown as Sink<unknown, unknown, unknown> } as const;
    return new DataStreamSink<T>(this.graph, this.#add({ kind: 'sink', variant: 'sink', name: 'Sink: Unnamed', params: {}, functions }));
  }

  #partitioned(partitioning: 'rebalance' | 'rescale' | 'shuffle' | 'global' | 'broadcast'): DataStream<T> {
    this.graph.assertOpen();
    return this.#repartitioned(partitioning, undefined);
  }

  #repartitioned(partitioning: PartitioningHint, customPartitioning: CustomPartitioning | undefined): DataStream<T> {
    const origins = this.#origins.map((origin): RecordedInput => ({
      source: origin.source,
      partitioning,
      ...(customPartitioning !== undefined ? { customPartitioning } : {}),
      ...(origin.sideOutput !== undefined ? { sideOutput: origin.sideOutput } : {}),
    }));
    return new DataStream<T>(this.graph, this.producer, partitioning, customPartitioning, undefined, origins);
  }

  #connect<R>(template: OperatorTemplate): SingleOutputStreamOperator<R> {
    return new SingleOutputStreamOperator<R>(this.graph, this.#add(template));
  }

  #sink(variant: string, name: string, params: Record<string, unknown>, fn?: SinkFunction<unknown>): DataStreamSink<T> {
    const functions = fn === undefined ? ({ kind: 'sink' } as const) : ({ kind: 'sink', fn } as const);
    return new DataStreamSink<T>(this.graph, this.#add({ kind: 'sink', variant, name, params, functions }));
  }

  #add(template: OperatorTemplate): RecordedOperator {
    return this.graph.add({ ...template, keyed: false, inputs: this.#origins });
  }
}

/**
 * The stream an operator produces (Flink's SingleOutputStreamOperator): a
 * DataStream whose operator can still be given a uid, a name and a
 * parallelism. Each setting returns the same stream, keeping its type.
 */
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  /** Stable id of this operator (state and checkpoints are matched by it); unique in the job. */
  uid(uid: string): this {
    setOperatorUid(this.graph, this.producer, uid);
    return this;
  }

  /** Display name in logs, REST and the CLI. */
  name(name: string): this {
    setOperatorName(this.graph, this.producer, name);
    return this;
  }

  /**
   * The records this operator emits to side output `tag` (Flink's
   * getSideOutput): late records of a window (sideOutputLateData), what a
   * process function passes to `ctx.output(tag, value)`.
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (!(tag instanceof OutputTag)) throw new TypeError('getSideOutput(tag): the tag must be an OutputTag');
    this.graph.assertOpen();
    return new DataStream<X>(this.graph, this.producer, 'default', undefined, tag.id);
  }

  /** Number of parallel subtasks; without it, the job's default parallelism. */
  setParallelism(parallelism: number): this {
    setOperatorParallelism(this.graph, this.producer, parallelism);
    return this;
  }
}
