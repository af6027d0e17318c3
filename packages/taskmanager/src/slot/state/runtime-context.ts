/**
 * The `RuntimeContext` a user function receives in `open()`: the identity of
 * its parallel instance and, on keyed operators, the keyed state getters of
 * the subtask's backend. On a non-keyed operator (no backend) the state
 * getters throw, as Flink's do outside a keyed stream.
 */
import type { ListState, ListStateDescriptor, MapState, MapStateDescriptor, RuntimeContext, ValueState, ValueStateDescriptor } from '@rivulet/api';
import { checkMaxParallelism } from '@rivulet/common/task-runtime';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';

export interface RuntimeContextOptions {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The subtask's keyed state; omit on non-keyed operators. */
  readonly backend?: HeapKeyedStateBackend;
  /** Required without a backend; must match the backend's when both are given. */
  readonly operatorId?: string;
  /** Required without a backend; must match the backend's when both are given. */
  readonly maxParallelism?: number;
}

export function createRuntimeContext(options: RuntimeContextOptions): RuntimeContext {
  const { subtaskIndex, parallelism, backend } = options;
  const operatorId = options.operatorId ?? backend?.operatorId;
  const maxParallelism = options.maxParallelism ?? backend?.maxParallelism;
  if (typeof operatorId !== 'string' || operatorId === '') {
    throw new TypeError('createRuntimeContext needs an operatorId (or a backend)');
  }
  checkMaxParallelism(maxParallelism);
  if (
    backend !== undefined &&
    (backend.operatorId !== operatorId || backend.maxParallelism !== maxParallelism)
  ) {
    throw new TypeError(
      `the backend belongs to operator ${JSON.stringify(backend.operatorId)} with maxParallelism ` +
        `${backend.maxParallelism}, not ${JSON.stringify(operatorId)} with ` +
        String(maxParallelism),
    );
  }
  if (
    !Number.isInteger(parallelism) ||
    parallelism < 1 ||
    parallelism > (maxParallelism as number)
  ) {
    throw new RangeError(
      `parallelism must be an integer in 1..${String(maxParallelism)}, got ${parallelism}`,
    );
  }
  if (!Number.isInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
    throw new RangeError(
      `subtaskIndex must be an integer in [0, ${parallelism}), got ${subtaskIndex}`,
    );
  }
  const keyed = (): HeapKeyedStateBackend => {
    if (backend !== undefined) return backend;
    throw new TypeError(
      'keyed state is only available on a keyed stream (after keyBy); ' +
        `operator ${JSON.stringify(operatorId)} is not keyed`,
    );
  };
  return Object.freeze({
    operatorId,
    subtaskIndex,
    parallelism,
    maxParallelism: maxParallelism as number,
    getValueState: <T>(nameOrDescriptor: string | ValueStateDescriptor<T>, defaultValue?: T): ValueState<T> =>
      keyed().getValueState(nameOrDescriptor, defaultValue),
    getListState: <T>(nameOrDescriptor: string | ListStateDescriptor): ListState<T> => keyed().getListState<T>(nameOrDescriptor),
    getMapState: <K, V>(nameOrDescriptor: string | MapStateDescriptor): MapState<K, V> => keyed().getMapState<K, V>(nameOrDescriptor),
  });
}
