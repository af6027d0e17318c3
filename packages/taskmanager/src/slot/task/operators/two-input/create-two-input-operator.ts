import type { RuntimeContext, TwoInputFunctions } from '@rivulet/api';
import { isOperatorListStateSnapshot, type ChainedOperator, type TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import { HeapKeyedStateBackend } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { ChainMember, Output } from '../../output.js';
import { runtimeContext, type KeyedOperator } from '../keyed-operators.js';
import { BroadcastProcessOperator, CoFlatMapOperator, CoMapOperator, CoProcessOperator } from './co-operators.js';
import { IntervalJoinOperator } from './interval-join-operator.js';
import { KeyedBroadcastProcessOperator } from './keyed-broadcast-process-operator.js';
import { KeyedCoProcessOperator } from './keyed-co-process-operator.js';
import type { TwoInputHead } from './two-input-head.js';

/** A two-input chain head, and the keyed operator it is when it keeps keyed state. */
export interface CreatedTwoInputOperator {
  readonly operator: TwoInputHead & ChainMember & WatermarkSink;
  readonly keyed: KeyedOperator | undefined;
}

export interface TwoInputOperatorEnvironment {
  readonly descriptor: TaskDeploymentDescriptor;
  /** Where results go: for a keyed operator, an output that copies (its state may hold what it emits). */
  readonly next: Output;
  readonly keyedNext: Output;
  readonly staticContext: RuntimeContext;
  readonly timestamp: ElementTimestamp;
  readonly watermarks: WatermarkSink;
  readonly sideOutputs: (tagId: string, value: unknown) => void;
  /** The operator's restored operator state (broadcast state), if any. */
  readonly restored: unknown;
}

export function createTwoInputOperator(functions: TwoInputFunctions, operator: ChainedOperator, env: TwoInputOperatorEnvironment): CreatedTwoInputOperator {
  const { descriptor, timestamp, watermarks, sideOutputs } = env;
  const name = `operator '${operator.name}' (${operator.id})`;
  const getTimestamp = (): number | undefined => timestamp.get();
  const restored = isOperatorListStateSnapshot(env.restored) ? env.restored : undefined;
  const backend = (): HeapKeyedStateBackend =>
    new HeapKeyedStateBackend({ operatorId: operator.id, maxParallelism: descriptor.maxParallelism, keyGroups: descriptor.keyGroups });
  const nonKeyed = (created: TwoInputHead & ChainMember & WatermarkSink): CreatedTwoInputOperator => ({ operator: created, keyed: undefined });
  const keyed = <O extends KeyedOperator & TwoInputHead>(created: O): CreatedTwoInputOperator => ({ operator: created, keyed: created });
  switch (functions.kind) {
    case 'coMap':
      return nonKeyed(new CoMapOperator(functions.fn, env.next, env.staticContext, watermarks));
    case 'coFlatMap':
      return nonKeyed(new CoFlatMapOperator(functions.fn, env.next, env.staticContext, watermarks));
    case 'coProcess': {
      if (!functions.keyed) return nonKeyed(new CoProcessOperator(functions.fn, env.next, env.staticContext, watermarks, name, getTimestamp, sideOutputs));
      const b = backend();
      return keyed(new KeyedCoProcessOperator(b, functions.keySelector, functions.keySelector2, functions.fn, env.keyedNext, runtimeContext(b, descriptor, operator.id), timestamp, watermarks, sideOutputs));
    }
    case 'broadcastProcess': {
      if (!functions.keyed) {
        return nonKeyed(new BroadcastProcessOperator(functions.fn, functions.descriptors, restored, env.next, env.staticContext, watermarks, name, getTimestamp, sideOutputs));
      }
      const b = backend();
      return keyed(
        new KeyedBroadcastProcessOperator(b, functions.keySelector, functions.fn, functions.descriptors, restored, env.keyedNext, runtimeContext(b, descriptor, operator.id), timestamp, watermarks, sideOutputs, name),
      );
    }
    case 'intervalJoin': {
      const b = backend();
      return keyed(new IntervalJoinOperator(b, functions.keySelector, functions.keySelector2, functions.fn, functions, env.keyedNext, runtimeContext(b, descriptor, operator.id), timestamp, watermarks, sideOutputs, name));
    }
  }
}
