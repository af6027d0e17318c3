import { edgeId, keySelectorOfInput, type CompiledJob, type OperatorFunctions, type TwoInputFunctions, type RuntimeContext, type SinkFunction, type UserFunctionHooks } from '@rivulet/api';
import type { ChainedOperator, OutputDescriptor, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { CustomEdge } from './channel-selectors.js';
import type { ResultPartitionWriter } from '../../network/network-api.js';
import { createKeyedOperator, type KeyedOperator } from './operators/keyed-operators.js';
import { createWindowOperator } from './operators/window/create-window-operator.js';
import { FilterOperator, FlatMapOperator, MapOperator } from './operators/stateless-operators.js';
import { functionHookMembers } from './operators/user-function-members.js';
import { ProcessOperator } from './operators/process-operator.js';
import { createTwoInputOperator } from './operators/two-input/create-two-input-operator.js';
import type { RecordCopyContext } from '../../records/record-copy.js';
import { FanOutOutput, exclusiveInput, type ChainMember, type Output } from './output.js';
import { createRecordWriterOutput } from './record-writer-output.js';
import { CountingOutput, type TaskIoCounters } from './task-io-counters.js';
import { ElementTimestamp } from './event-time/element-timestamp.js';
import { TaskWatermarkOutput, type WatermarkSink } from './event-time/watermark-sink.js';
import { TimestampsAndWatermarksOperator, type PeriodicWork } from './operators/timestamps-and-watermarks-operator.js';
import { CollectSink, CustomSink, PrintSink } from './sinks/sinks.js';
import { TextFileSink } from './sinks/transactional-file-sink.js';
import { SinkWriterOperator, createSinkWriterOperator } from './sinks/sink-writer-operator.js';
import type { SourceReader } from './sources/source-reader.js';
import { createSourceOperator, type SourceEventChannel } from './sources/create-source-operator.js';
import { staticRuntimeContext } from './runtime-context.js';

/** The operators of one subtask, wired head to tail. */
export interface OperatorChain {
  /** Where records from the input gate enter (non-source chains); input 1 of a two-input head. */
  readonly head: Output;
  /** Where records of input 2 enter, when the head has two inputs (connect, joins). */
  readonly second: Output | undefined;
  /** Set when the chain head is a source. */
  readonly source: SourceReader | undefined;
  /** Set when the chain head is keyed (reduce, process): owns state and timers. */
  readonly keyed: KeyedOperator | undefined;
  /** Every member with lifecycle hooks, head first. */
  readonly members: readonly ChainMember[];
  /** Operator ids of the source, the keyed head and each member, for checkpoints. */
  readonly sourceOperatorId: string | undefined;
  readonly keyedOperatorId: string | undefined;
  readonly memberOperatorIds: ReadonlyMap<ChainMember, string>;
  /** The event timestamp of the record being processed (set by whoever starts processing one). */
  readonly timestamp: ElementTimestamp;
  /** Where watermarks and statuses enter the chain (from the input gate's valve, or a source's end). */
  readonly watermarkInput: WatermarkSink;
  /** The chain's end for event time: the task's output watermark. */
  readonly watermarkOutput: TaskWatermarkOutput;
  /** Members that work on the clock (timestamp assigners' periodic watermarks and idleness). */
  readonly periodic: readonly PeriodicWork[];
}

/** pipeline.auto-watermark-interval when the descriptor carries none. */
const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

function functionsOf(job: CompiledJob, operator: ChainedOperator): OperatorFunctions {
  const functions = job.functions.get(operator.id);
  if (!functions) {
    throw new Error(`operator "${operator.id}" is not in the job bundle as built on this TaskManager (the job's build must be deterministic)`);
  }
  if (functions.kind !== operator.kind) {
    throw new Error(`operator "${operator.id}" is a ${operator.kind} in the job graph but a ${functions.kind} in the bundle`);
  }
  return functions;
}

/**
 * Builds the chain from its tail: the tail writes to the result partitions
 * (one per outgoing edge), every other operator calls the next directly.
 *
 * Object reuse off (the default, `descriptor.objectReuse` not set): every
 * operator receives records no one else holds, so a function may mutate its
 * input. Records are copied only where the runtime keeps or shares one
 * (output.ts): what a keyed reduce or process function emits (its state may
 * hold it), what fromElements emits (it keeps its elements for a restore),
 * what a chained collect sink keeps, the outputs of a fan-out but the last.
 * Records from the input gate are the task's own (deserialized, or copied by
 * the producer's partition for a consumer in the same slot, whatever the
 * object-reuse setting, as Flink serializes on every non-chained channel),
 * so none is copied on entry. With object reuse nothing in a chain is copied.
 */
export function buildOperatorChain(
  descriptor: TaskDeploymentDescriptor,
  job: CompiledJob,
  writers: readonly ResultPartitionWriter[],
  restoredSourceSplits?: readonly unknown[],
  restoredOperatorState?: ReadonlyMap<string, unknown>,
  /** Where the source's reader sends its events for its split enumerator. */
  sourceEvents?: SourceEventChannel,
  /** Counts the records the chain emits towards other tasks (the task's numRecordsOut). */
  io?: TaskIoCounters,
): OperatorChain {
  const { subtaskIndex, parallelism, maxParallelism } = descriptor;
  const objectReuse = descriptor.objectReuse === true;
  const subtask = ` (${subtaskIndex + 1}/${parallelism})`;
  /** Copies name the operator that emitted the record, or the task and partition (as the serializer does). */
  const emittedBy = (name: string): RecordCopyContext => ({ owner: `${name}${subtask}` });
  const timestamp = new ElementTimestamp();
  const watermarkOutput = new TaskWatermarkOutput(writers);
  let watermarks: WatermarkSink = watermarkOutput;
  const periodic: PeriodicWork[] = [];
  const tailName = descriptor.operators[descriptor.operators.length - 1]?.name ?? descriptor.vertexName;
  // numRecordsOut: a side-output edge counts each record it takes; the main output counts a record once,
  // in its writer output when it has one edge, in front of the fan-out when it has several.
  const mainEdges = descriptor.outputs.filter((output) => output.sideOutput === undefined).length;
  const tailOutputs = descriptor.outputs.map((output, i) => {
    // A two-input target keys each input by its own selector: the edge says which input it feeds.
    const keySelector = keySelectorOfInput(job.functions.get(output.targetOperatorId), output.targetInput ?? 1);
    const customEdge = customEdgeOf(job, descriptor, output, tailName);
    const counted = io && (output.sideOutput !== undefined || mainEdges === 1) ? io : undefined;
    return createRecordWriterOutput(output, writers[i]!, maxParallelism, keySelector, subtaskIndex, timestamp, customEdge, counted);
  });
  const mainOutputs = tailOutputs.filter((_, i) => descriptor.outputs[i]!.sideOutput === undefined);
  let next: Output = mainOutputs.length === 1 ? mainOutputs[0]! : new FanOutOutput(mainOutputs, objectReuse, emittedBy(tailName));
  if (io && mainOutputs.length > 1) next = new CountingOutput(next, io);
  const sideOutputs = sideOutputRouter(descriptor.outputs, tailOutputs, objectReuse, emittedBy(tailName));
  const members: ChainMember[] = [];
  const memberOperatorIds = new Map<ChainMember, string>();
  let keyed: KeyedOperator | undefined;
  let keyedOperatorId: string | undefined;
  let source: SourceReader | undefined;
  let sourceOperatorId: string | undefined;
  let second: Output | undefined;

  /** Members for a function object's hooks (operator list state, open/close), ahead of those already added. */
  const addHookMembers = (hooks: UserFunctionHooks | undefined, operatorId: string, context: RuntimeContext | undefined): void => {
    const added = functionHookMembers(hooks, operatorId, context, descriptor.restore?.checkpointId, restoredOperatorState?.get(operatorId));
    members.unshift(...added);
    for (const member of added) memberOperatorIds.set(member, operatorId);
  };

  /** The chain's keyed operator (at its head): it takes the watermarks and the records that follow. */
  const addKeyed = (operator: KeyedOperator, operatorId: string): void => {
    keyed = operator;
    watermarks = operator;
    keyedOperatorId = operatorId;
    members.unshift(operator);
    memberOperatorIds.set(operator, operatorId);
    next = operator;
  };

  for (let i = descriptor.operators.length - 1; i >= 0; i--) {
    const operator = descriptor.operators[i]!;
    const functions = functionsOf(job, operator);
    const context = staticRuntimeContext(operator.id, subtaskIndex, parallelism, maxParallelism);
    /** Set when this operator's input comes from the operator before it in the chain (not from the input gate). */
    const chainedFrom = i > 0 ? descriptor.operators[i - 1]!.name : undefined;
    switch (functions.kind) {
      case 'map':
        next = new MapOperator(functions.fn, next);
        addHookMembers(functions.hooks, operator.id, context);
        break;
      case 'filter':
        next = new FilterOperator(functions.fn, next);
        addHookMembers(functions.hooks, operator.id, context);
        break;
      case 'flatMap':
        next = new FlatMapOperator(functions.fn, next);
        addHookMembers(functions.hooks, operator.id, context);
        break;
      case 'reduce':
      case 'process':
        if (isNonKeyedProcess(functions)) {
          const process = new ProcessOperator(functions.fn, next, context, `'${operator.name}' (${operator.id})`, () => timestamp.get(), sideOutputs);
          members.unshift(process);
          memberOperatorIds.set(process, operator.id);
          next = process;
          break;
        }
        addKeyed(createKeyedOperator(functions, operator, descriptor, exclusiveInput(next, objectReuse, emittedBy(operator.name)), timestamp, watermarks, sideOutputs), operator.id);
        break;
      case 'window':
        addKeyed(createWindowOperator(functions, operator, descriptor, exclusiveInput(next, objectReuse, emittedBy(operator.name)), timestamp, watermarks, sideOutputs), operator.id);
        break;
      case 'coMap':
      case 'coFlatMap':
      case 'coProcess':
      case 'broadcastProcess':
      case 'intervalJoin': {
        if (i !== 0) throw new Error(`two-input operator "${operator.id}" is not at the head of its chain (the JobManager chains nothing into it)`);
        const created = createTwoInputOperator(functions as TwoInputFunctions, operator, {
          descriptor,
          next,
          keyedNext: exclusiveInput(next, objectReuse, emittedBy(operator.name)),
          staticContext: context,
          timestamp,
          watermarks,
          sideOutputs,
          restored: restoredOperatorState?.get(operator.id),
        });
        if (created.keyed) {
          keyed = created.keyed;
          keyedOperatorId = operator.id;
        }
        watermarks = created.operator;
        members.unshift(created.operator);
        memberOperatorIds.set(created.operator, operator.id);
        next = created.operator.first;
        second = created.operator.second;
        break;
      }
      case 'timestamps': {
        const interval = descriptor.autoWatermarkIntervalMs ?? DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
        const assigner = new TimestampsAndWatermarksOperator(functions.strategy, `${operator.name} (operator ${operator.id})${subtask}`, next, watermarks, timestamp, interval);
        periodic.unshift(assigner);
        watermarks = assigner;
        next = assigner;
        break;
      }
      case 'sink': {
        const keepsCopies = objectReuse || chainedFrom === undefined ? undefined : emittedBy(chainedFrom);
        const restoredSink = restoredOperatorState?.get(operator.id);
        const apiSink = functions.sink ?? (operator.variant === 'file' ? textFileSink(operator, descriptor) : undefined);
        const sink = apiSink !== undefined
          ? createSinkWriterOperator(apiSink, operator, descriptor, restoredSink, () => timestamp.get(), () => watermarkOutput.currentOutputWatermark, functions.sink === undefined)
          : createSink(operator, functions.fn, context, descriptor, keepsCopies);
        members.unshift(sink);
        memberOperatorIds.set(sink, operator.id);
        if (sink instanceof SinkWriterOperator) watermarks = sink.watermarksThrough(watermarks);
        addHookMembers(functions.fn, operator.id, undefined);
        next = sink;
        break;
      }
      case 'source': {
        // fromElements keeps its values (a restore emits them again): it hands out copies.
        if (operator.variant === 'elements') next = exclusiveInput(next, objectReuse, emittedBy(operator.name));
        const interval = descriptor.autoWatermarkIntervalMs ?? DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
        const created = createSourceOperator(operator, functions, { subtaskIndex, parallelism, autoWatermarkIntervalMs: interval }, { next, timestamp, watermarks }, sourceEvents, restoredSourceSplits);
        source = created.source;
        sourceOperatorId = operator.id;
        periodic.unshift(created.outputs);
        break;
      }
    }
  }
  return { head: next, second, source, keyed, members, sourceOperatorId, keyedOperatorId, memberOperatorIds, timestamp, watermarkInput: watermarks, watermarkOutput, periodic };
}

/**
 * Side outputs (OutputTag) leave the chain from its last operator (an
 * operator with a side-output edge has two outgoing edges, so it ends its
 * chain): records of a tag go to that tag's edges; a tag no edge consumes is
 * dropped, as in Flink.
 */
function sideOutputRouter(
  outputs: readonly OutputDescriptor[],
  writerOutputs: readonly Output[],
  objectReuse: boolean,
  context: RecordCopyContext,
): (tagId: string, record: unknown) => void {
  const byTag = new Map<string, Output[]>();
  outputs.forEach((output, i) => {
    if (output.sideOutput === undefined) return;
    const list = byTag.get(output.sideOutput) ?? [];
    list.push(writerOutputs[i]!);
    byTag.set(output.sideOutput, list);
  });
  const routes = new Map<string, Output>([...byTag].map(([tag, list]) => [tag, list.length === 1 ? list[0]! : new FanOutOutput(list, objectReuse, context)]));
  return (tagId, record) => routes.get(tagId)?.collect(record);
}

function isNonKeyedProcess(functions: OperatorFunctions): functions is Extract<OperatorFunctions, { keyed: false }> {
  return functions.kind === 'process' && 'keyed' in functions && functions.keyed === false;
}

/** The partitioner of a 'custom' edge out of this chain, from this TaskManager's build of the bundle. */
function customEdgeOf(job: CompiledJob, descriptor: TaskDeploymentDescriptor, output: OutputDescriptor, tailName: string): CustomEdge | undefined {
  if (output.partitioning !== 'custom') return undefined;
  const tailId = descriptor.operatorIds[descriptor.operatorIds.length - 1] ?? descriptor.vertexId;
  const partitioning = job.partitioners?.get(edgeId(tailId, output.targetOperatorId));
  if (!partitioning) {
    throw new Error(`the custom edge ${tailId} -> ${output.targetOperatorId} has no partitioner in the job bundle as built on this TaskManager (the job's build must be deterministic)`);
  }
  return { partitioning, description: `operator '${tailName}' (${tailId}) to ${output.targetOperatorId}` };
}

function stringParam(operator: ChainedOperator, name: string): string {
  const value = operator.params[name];
  if (typeof value !== 'string' || value === '') throw new Error(`operator "${operator.id}" has no "${name}" parameter`);
  return value;
}

/** writeAsText(dir): the exactly-once file sink, named per deployment of the subtask. */
function textFileSink(operator: ChainedOperator, descriptor: TaskDeploymentDescriptor): TextFileSink {
  return new TextFileSink(stringParam(operator, 'dir'), descriptor.executionAttemptId.slice(0, 8).toLowerCase());
}

function createSink(
  operator: ChainedOperator,
  fn: SinkFunction<unknown> | undefined,
  context: ReturnType<typeof staticRuntimeContext>,
  descriptor: TaskDeploymentDescriptor,
  /** A collect sink keeps copies of what the operator before it emits (object reuse off). */
  keepsCopies: RecordCopyContext | undefined,
): Output & ChainMember {
  const { subtaskIndex, parallelism } = descriptor;
  switch (operator.variant) {
    case 'print':
      return new PrintSink(typeof operator.params['prefix'] === 'string' ? operator.params['prefix'] : undefined, subtaskIndex, parallelism);
    case 'collect':
      return new CollectSink(stringParam(operator, 'name'), keepsCopies);
    default:
      if (!fn) throw new Error(`sink "${operator.id}" (${operator.variant}) has no sink function`);
      return new CustomSink(fn, context);
  }
}
