import type { OperatorFunctions } from '@rivulet/api';
import type { ChainedOperator, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import { HeapKeyedStateBackend } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { Output } from '../../output.js';
import { WindowOperator, type SideOutputs } from './window-operator.js';

/** The window operator of `functions` (kind 'window'), with a keyed state backend over the subtask's key groups. */
export function createWindowOperator(
  functions: Extract<OperatorFunctions, { kind: 'window' }>,
  operator: ChainedOperator,
  descriptor: TaskDeploymentDescriptor,
  next: Output,
  timestamp: ElementTimestamp,
  watermarks: WatermarkSink,
  sideOutputs: SideOutputs,
): WindowOperator {
  const backend = new HeapKeyedStateBackend({
    operatorId: operator.id,
    maxParallelism: descriptor.maxParallelism,
    keyGroups: descriptor.keyGroups,
  });
  const spec = {
    assigner: functions.assigner,
    trigger: functions.trigger ?? functions.assigner.getDefaultTrigger(),
    ...(functions.evictor ? { evictor: functions.evictor } : {}),
    allowedLateness: functions.allowedLateness,
    fn: functions.fn,
    ...(functions.lateDataTag !== undefined ? { lateDataTag: functions.lateDataTag } : {}),
  };
  return new WindowOperator(backend, functions.keySelector, spec, next, timestamp, watermarks, sideOutputs);
}
