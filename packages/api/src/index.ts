/**
 * @rivulet/api — the DataStream API that job modules import. No runtime
 * dependencies: a job bundle carries its own copy of this package.
 *
 * Job authors use defineJob, StreamExecutionEnvironment, DataStream,
 * KeyedStream and the function and state types; the CLI and the runtime use
 * isJobDefinition, compile's CompiledJob, the JobGraph types,
 * validateJobGraph and invokeFlatMap.
 */
export { defineJob, isJobDefinition, JOB_DEFINITION_BRAND } from './job/job-definition.js';
export type { CompileOptions, DefineJobOptions, JobBuildFunction, JobDefinition } from './job/job-definition.js';
export { StreamExecutionEnvironment } from './environment.js';
export type { EnvironmentDefaults } from './environment.js';
export { DataStream, SingleOutputStreamOperator } from './datastream/data-stream.js';
export type { SinkFunctionLike } from './datastream/data-stream.js';
export { KeyedStream } from './datastream/keyed-stream.js';
export { ConnectedStreams, KeyedConnectedStreams } from './datastream/connected-streams.js';
export { BroadcastConnectedStream, BroadcastStream, KeyedBroadcastConnectedStream, broadcastStateDescriptor } from './datastream/broadcast-stream.js';
export { JoinedStreams, JoinWhere, JoinEqualTo, WithWindow } from './datastream/join.js';
export type { JoinFunction } from './datastream/join.js';
export { IntervalJoin, IntervalJoined } from './datastream/interval-join.js';
export type {
  BroadcastContext,
  BroadcastContextBase,
  BroadcastProcessFunction,
  BroadcastState,
  BroadcastStateDescriptor,
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  KeyedReadOnlyBroadcastContext,
  KeyedStateFunction,
  ProcessJoinContext,
  ProcessJoinFunction,
  ReadOnlyBroadcastContext,
  ReadOnlyBroadcastState,
  TwoInputFunctionHooks,
} from './two-input-functions.js';
export { DataStreamSink } from './datastream/data-stream-sink.js';
export { WatermarkStrategy } from './eventtime/watermark-strategy.js';
export type { WatermarkStrategyDescription } from './eventtime/watermark-strategy.js';
export { BoundedOutOfOrdernessWatermarks, NoWatermarksGenerator } from './eventtime/watermark-generator.js';
export type { TimestampAssigner, WatermarkGenerator, WatermarkOutput } from './eventtime/watermark-generator.js';
export { sumReducer } from './datastream/sum-reducer.js';
export { extremumReducer } from './datastream/extremum-reducers.js';
export type { ExtremumAggregation } from './datastream/extremum-reducers.js';
export { invokeFlatMap } from './invoke-flat-map.js';
export type { KeyValue, NumericField } from './record-types.js';
export { keySelectorOfInput } from './functions.js';
export type { TwoInputFunctions } from './functions.js';
export type {
  Collector,
  CustomPartitioning,
  FilterFunction,
  FlatMapFunction,
  KeyedContext,
  OnTimerContext,
  TimeDomain,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  OperatorFunctions,
  Partitioner,
  ProcessContext,
  ProcessFunction,
  ReduceFunction,
  SinkFunction,
} from './functions.js';
export type {
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  RuntimeContext,
  StateDescriptor,
  TimerService,
  ValueState,
  ValueStateDescriptor,
} from './state.js';
export { checkStateTtlOptions, DEFAULT_INCREMENTAL_CLEANUP, StateTtlConfig, StateTtlConfigBuilder } from './state-ttl.js';
export type {
  IncrementalCleanupOptions,
  ResolvedStateTtl,
  StateTtlCleanupOptions,
  StateTtlOptions,
  TtlStateVisibility,
  TtlUpdateType,
} from './state-ttl.js';
export type {
  CheckpointedFunction,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  OperatorStateStore,
} from './operator-state.js';
export type { FilterFunctionObject, FlatMapFunctionObject, MapFunctionObject, UserFunctionHooks } from './rich-functions.js';
export { edgeId, JOB_GRAPH_VERSION, OPERATOR_KINDS, PARTITIONINGS, TWO_INPUT_KINDS } from './graph/job-graph.js';
export type { JobGraph, OperatorKind, OperatorNode, Partitioning, StreamEdge } from './graph/job-graph.js';
export type { CompiledJob, CompileSettings } from './graph/compile-graph.js';
export { validateJobGraph } from './graph/validate-graph.js';
export { DEFAULT_MAX_PARALLELISM, MAX_PARALLELISM_LIMIT } from './graph/parallelism-limits.js';
export { describeOperator, JobGraphError } from './errors.js';
export type { JobGraphErrorCode } from './errors.js';
export { WindowedStream } from './datastream/windowed-stream.js';
export { OutputTag } from './datastream/output-tag.js';
export type { WindowFunctionDefinition, WindowFunctions } from './datastream/windowed-stream.js';
export { GlobalWindow, TimeWindow, windowFromId } from './windowing/windows.js';
export type { Window } from './windowing/windows.js';
export {
  EventTimeSessionWindows,
  GlobalWindows,
  MissingTimestampError,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  isWindowAssigner,
  mergeTimeWindows,
} from './windowing/assigners.js';
export type { WindowAssigner, WindowAssignerContext } from './windowing/assigners.js';
export { CountTrigger, EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger, TriggerResult, isTrigger } from './windowing/triggers.js';
export type { OnMergeContext, Trigger, TriggerContext, TriggerState } from './windowing/triggers.js';
export { CountEvictor, DeltaEvictor, TimeEvictor, isEvictor } from './windowing/evictors.js';
export type { Evictor, EvictorContext, TimestampedValue } from './windowing/evictors.js';
export { toProcessWindowFunction } from './windowing/window-functions.js';
export type { AggregateFunction, ProcessWindowContext, ProcessWindowFunction, ProcessWindowFunctionLike } from './windowing/window-functions.js';
export type {
  Boundedness,
  InputStatus,
  ReaderInfo,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
  SourceSplit,
  SplitEnumerator,
  SplitEnumeratorContext,
} from './connector/source.js';
export type {
  CommitRequest,
  Committer,
  CommitterInitContext,
  DeliveryGuarantee,
  Sink,
  SinkWriter,
  SinkWriterContext,
  WriterInitContext,
} from './connector/sink.js';
