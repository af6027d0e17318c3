import { WatermarkStrategy, type OperatorFunctions, type Source, type SourceSplit } from '@rivulet/api';
import type { ChainedOperator } from '@rivulet/common/task-runtime';
import { createBuiltinSource, isBuiltinSourceVariant } from '@rivulet/common/task-runtime';
import type { ElementTimestamp } from '../event-time/element-timestamp.js';
import type { WatermarkSink } from '../event-time/watermark-sink.js';
import type { Output } from '../output.js';
import { SourceOperator } from './source-operator.js';
import { SourceReaderOutputs } from './source-reader-output.js';

/** What a task offers its Source API source: where its events go and where it runs. */
export interface SourceEventChannel {
  readonly location: string;
  send(operatorId: string, event: Uint8Array): void;
}

/**
 * The SourceOperator of a source operator, and its outputs (periodic
 * watermark work): of a fromSource operator (variant 'custom'), with the
 * Source and strategy of the job bundle; of a built-in source (fromSequence,
 * fromElements, readTextFile), with the runtime's Source for its variant and
 * no watermarks (as Flink's fromSequence), its restored state read in the
 * layout it is in (splits, or the state of before the Source API).
 */
export function createSourceOperator(
  operator: ChainedOperator,
  functions: Extract<OperatorFunctions, { kind: 'source' }>,
  task: { readonly subtaskIndex: number; readonly parallelism: number; readonly autoWatermarkIntervalMs: number },
  wiring: { readonly next: Output; readonly timestamp: ElementTimestamp; readonly watermarks: WatermarkSink },
  channel: SourceEventChannel | undefined,
  restored: readonly unknown[] | undefined,
): { readonly source: SourceOperator; readonly outputs: SourceReaderOutputs } {
  const builtin = isBuiltinSourceVariant(operator.variant);
  let source: Source<unknown, SourceSplit, unknown> | undefined;
  let watermarkStrategy: WatermarkStrategy<unknown> | undefined;
  let restoredSplits: readonly SourceSplit[];
  if (builtin) {
    const builtinSource = createBuiltinSource({ operatorId: operator.id, name: operator.name, variant: operator.variant, params: operator.params, elements: functions.elements });
    source = builtinSource as Source<unknown, SourceSplit, unknown>;
    watermarkStrategy = WatermarkStrategy.noWatermarks<unknown>();
    restoredSplits = builtinSource.splitsOfReaderState(restored ?? []);
  } else {
    ({ source, watermarkStrategy } = functions);
    restoredSplits = (restored ?? []) as SourceSplit[];
  }
  if (!source || !watermarkStrategy) {
    throw new Error(`source '${operator.name}' (${operator.id}) has no Source object in the job bundle as built on this TaskManager (the job's build must be deterministic)`);
  }
  if (!channel) throw new Error(`source '${operator.name}' (${operator.id}) cannot reach its split enumerator from this task`);
  const description = `source '${operator.name}' (${operator.id}, subtask ${task.subtaskIndex + 1}/${task.parallelism})`;
  const outputs = new SourceReaderOutputs(watermarkStrategy, description, wiring.next, wiring.timestamp, wiring.watermarks, task.autoWatermarkIntervalMs);
  const sourceOperator = new SourceOperator(source, outputs, {
    operatorId: operator.id,
    name: operator.name,
    subtaskIndex: task.subtaskIndex,
    parallelism: task.parallelism,
    location: channel.location,
    sendEvent: (event) => channel.send(operator.id, event),
  }, restoredSplits, !builtin);
  return { source: sourceOperator, outputs };
}
