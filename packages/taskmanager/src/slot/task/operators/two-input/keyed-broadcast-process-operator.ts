import type {
  BroadcastStateDescriptor,
  Collector,
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
  KeyedReadOnlyBroadcastContext,
  KeySelector,
  OnTimerContext,
  RuntimeContext,
} from '@rivulet/api';
import type { OperatorListStateSnapshot } from '@rivulet/common/task-runtime';
import type { HeapKeyedStateBackend } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { Output } from '../../output.js';
import { NonKeyedTimerService } from '../process-operator.js';
import { BroadcastStates } from './broadcast-states.js';
import { KeyedTwoInputOperator, type FiredTimer } from './keyed-two-input-operator.js';

/**
 * keyed.connect(broadcastStream).process(KeyedBroadcastProcessFunction)
 * (Flink's CoBroadcastWithKeyedOperator): input 1 is keyed (its key's state,
 * timers, broadcast state read-only), input 2 the broadcast records
 * (broadcast state read-write, no current key, every key's state through
 * applyToKeyedState). The broadcast state is checkpointed as operator state
 * beside the keyed state.
 */
export class KeyedBroadcastProcessOperator extends KeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;
  private readonly states: BroadcastStates;
  private readonly onTimerContext: KeyedReadOnlyBroadcastContext<unknown> & OnTimerContext<unknown>;

  constructor(
    backend: HeapKeyedStateBackend,
    keySelector: KeySelector<unknown, unknown>,
    private readonly fn: KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>,
    descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[],
    restored: OperatorListStateSnapshot | undefined,
    private readonly next: Output,
    runtime: RuntimeContext,
    timestamp: ElementTimestamp,
    watermarks: WatermarkSink,
    sideOutputs: (tagId: string, value: unknown) => void,
    private readonly operator: string,
  ) {
    super(backend, fn, runtime, timestamp, watermarks, sideOutputs);
    const states = new BroadcastStates(operator, descriptors, restored);
    this.states = states;
    const out = next as Collector<unknown>;
    const readOnly: KeyedReadOnlyBroadcastContext<unknown> = {
      ...this.timerContext,
      getBroadcastState: (d) => states.get(d as BroadcastStateDescriptor<unknown, unknown>, false) as never,
      currentWatermark: () => this.currentWatermark,
    };
    this.onTimerContext = { ...readOnly, timeDomain: () => this.domain };
    const broadcastTimers = new NonKeyedTimerService(operator);
    const readWrite: KeyedBroadcastContext = {
      timestamp: () => timestamp.get(),
      timerService: () => broadcastTimers,
      output: (tag, value) => sideOutputs(tag.id, value),
      currentProcessingTime: () => Date.now(),
      currentWatermark: () => this.currentWatermark,
      getBroadcastState: (d) => states.get(d as BroadcastStateDescriptor<unknown, unknown>, true) as never,
      applyToKeyedState: (name, apply) => this.applyToKeyedState(name, apply as (key: unknown, state: unknown) => void),
    };
    this.first = {
      collect: (record) => {
        backend.setCurrentKey(keySelector(record));
        fn.processElement(record, readOnly, out);
      },
    };
    this.second = {
      collect: (record) => {
        backend.clearCurrentKey();
        fn.processBroadcastElement(record, readWrite, out);
        backend.clearCurrentKey();
      },
    };
  }

  /** Every key of this subtask with state `name`, in key-group order, that state scoped to it. */
  private applyToKeyedState(name: string, apply: (key: unknown, state: unknown) => void): void {
    const registrations = this.backend.registeredStates();
    const id = registrations.findIndex((r) => r.name === name);
    if (id < 0) return; // no key has this state yet (Flink: nothing to apply to)
    const kind = registrations[id]!.kind;
    const state = kind === 'value' ? this.backend.getValueState(name) : kind === 'list' ? this.backend.getListState(name) : this.backend.getMapState(name);
    for (const group of this.backend.ownedKeyGroups()) {
      const store = this.backend.storeOf(group);
      if (store?.composite[id] !== undefined && store.composite[id]!.size > 0) {
        throw new Error(`${this.operator}: applyToKeyedState('${name}') supports string, number, boolean and bigint keys; this state has array keys`);
      }
      for (const key of [...(store?.plain[id]?.keys() ?? [])]) {
        this.backend.setCurrentKey(key);
        apply(key, state);
      }
    }
    this.backend.clearCurrentKey();
  }

  protected onTimer(timer: FiredTimer): void {
    this.fn.onTimer?.(timer.timestamp, this.onTimerContext, this.next as Collector<unknown>);
  }

  protected override snapshotOperatorState(): unknown {
    return this.states.snapshot() ?? undefined;
  }
}
