import type { OperatorFunctions, SourceSplit } from '@rivulet/api';
import type { ChainedOperator } from '@rivulet/common/task-runtime';
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

/** The SourceOperator of a fromSource operator (variant 'custom'), and its outputs (periodic watermark work). */
export function createSourceOperator(
  operator: ChainedOperator,
  functions: Extract<OperatorFunctions, { kind: 'source' }>,
  task: { readonly subtaskIndex: number; readonly parallelism: number; readonly autoWatermarkIntervalMs: number },
  wiring: { readonly next: Output; readonly timestamp: ElementTimestamp; readonly watermarks: WatermarkSink },
  channel: SourceEventChannel | undefined,
  restored: readonly unknown[] | undefined,
): { readonly source: SourceOperator; readonly outputs: SourceReaderOutputs } {
  const { source, watermarkStrategy } = functions;
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
  }, (restored ?? []) as SourceSplit[]);
  return { source: sourceOperator, outputs };
}
