import type { ListState, MapState, RuntimeContext, ValueState } from '@rivulet/api';

function noKeyedState(operatorId: string): never {
  throw new Error(`operator "${operatorId}" is not keyed: keyed state is only available after keyBy()`);
}

/** The RuntimeContext of a non-keyed operator (a sink's open()): identity, no keyed state. */
export function staticRuntimeContext(operatorId: string, subtaskIndex: number, parallelism: number, maxParallelism: number): RuntimeContext {
  return {
    operatorId,
    subtaskIndex,
    parallelism,
    maxParallelism,
    getValueState<T>(): ValueState<T> {
      return noKeyedState(operatorId);
    },
    getListState<T>(): ListState<T> {
      return noKeyedState(operatorId);
    },
    getMapState<K, V>(): MapState<K, V> {
      return noKeyedState(operatorId);
    },
  };
}
