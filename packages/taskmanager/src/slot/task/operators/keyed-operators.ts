import type { Collector, KeyedContext, KeyedProcessFunction, KeySelector, OperatorFunctions, ReduceFunction, RuntimeContext, TimerService, ValueState } from '@rivulet/api';
import type { ChainedOperator, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import { EMPTY_KEY_GROUP_SNAPSHOT, HeapKeyedStateBackend, ProcessingTimeTimerService, type KeyGroupSnapshot } from '../../state/index.js';
import type { ChainMember, Output } from '../output.js';

/** A keyed operator at the head of a chain: owns its key groups' state and timers. */
export interface KeyedOperator extends Output, ChainMember {
  readonly backend: HeapKeyedStateBackend;
  /** Fires the timers due at `now` (processing time). */
  fireDueTimers(now: number): void;
  /** Milliseconds until the next timer, or undefined when none is set. */
  msUntilNextTimer(now: number): number | undefined;
  /**
   * Point-in-time snapshot of the owned key groups that hold state or timers,
   * taken at the barrier in O(groups) and serialized later (KeyGroupSnapshot).
   */
  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot };
  /** Restores key groups (before any record is processed). */
  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined, timers: Uint8Array | undefined): void;
}

function runtimeContext(backend: HeapKeyedStateBackend, d: TaskDeploymentDescriptor, operatorId: string): RuntimeContext {
  return {
    operatorId,
    subtaskIndex: d.subtaskIndex,
    parallelism: d.parallelism,
    maxParallelism: d.maxParallelism,
    getValueState: (nameOrDescriptor, defaultValue) => backend.getValueState(nameOrDescriptor, defaultValue),
    getListState: (nameOrDescriptor) => backend.getListState(nameOrDescriptor),
    getMapState: (nameOrDescriptor) => backend.getMapState(nameOrDescriptor),
  };
}

/**
 * reduce / sum: keeps the running reduction per key in keyed state and
 * emits it after every record (Flink's streaming reduce).
 */
class ReduceOperator implements KeyedOperator {
  private readonly state: ValueState<unknown>;

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly keySelector: KeySelector<unknown, unknown>,
    private readonly fn: ReduceFunction<unknown>,
    private readonly next: Output,
  ) {
    this.state = backend.getValueState('reduce');
  }

  collect(record: unknown): void {
    this.backend.setCurrentKey(this.keySelector(record));
    const accumulated = this.state.value();
    const reduced = accumulated === undefined ? record : this.fn(accumulated, record);
    this.state.update(reduced);
    this.next.collect(reduced);
  }

  fireDueTimers(): void {}

  msUntilNextTimer(): undefined {
    return undefined;
  }

  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot } {
    return { keyedState: this.backend.snapshot(), timers: EMPTY_KEY_GROUP_SNAPSHOT };
  }

  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined): void {
    if (keyedState) this.backend.restoreKeyGroup(keyGroup, keyedState);
  }
}

/** process(): the user's KeyedProcessFunction with keyed state and processing-time timers. */
class ProcessOperator implements KeyedOperator {
  private readonly timers: ProcessingTimeTimerService;
  private readonly context: KeyedContext<unknown>;

  constructor(
    readonly backend: HeapKeyedStateBackend,
    private readonly keySelector: KeySelector<unknown, unknown>,
    private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>,
    private readonly next: Output,
    private readonly runtime: RuntimeContext,
  ) {
    this.timers = new ProcessingTimeTimerService(backend);
    const timerService: TimerService = {
      currentProcessingTime: () => Date.now(),
      registerProcessingTimeTimer: (timestamp) => this.timers.registerProcessingTimeTimer(timestamp),
      deleteProcessingTimeTimer: (timestamp) => this.timers.deleteProcessingTimeTimer(timestamp),
    };
    this.context = { getCurrentKey: () => backend.getCurrentKey(), timerService: () => timerService };
  }

  async open(): Promise<void> {
    await this.fn.open?.(this.runtime);
  }

  collect(record: unknown): void {
    this.backend.setCurrentKey(this.keySelector(record));
    this.fn.processElement(record, this.context, this.next as Collector<unknown>);
  }

  fireDueTimers(now: number): void {
    const next = this.timers.nextTimerTimestamp();
    if (next === undefined || next > now || !this.fn.onTimer) return;
    for (const timer of this.timers.advanceTo(now)) {
      this.backend.setCurrentKey(timer.key);
      this.fn.onTimer(timer.timestamp, this.context, this.next as Collector<unknown>);
    }
  }

  msUntilNextTimer(now: number): number | undefined {
    const next = this.timers.nextTimerTimestamp();
    return next === undefined ? undefined : Math.max(0, next - now);
  }

  snapshot(): { keyedState: KeyGroupSnapshot; timers: KeyGroupSnapshot } {
    return { keyedState: this.backend.snapshot(), timers: this.timers.snapshot() };
  }

  restoreKeyGroup(keyGroup: number, keyedState: Uint8Array | undefined, timers: Uint8Array | undefined): void {
    if (keyedState) this.backend.restoreKeyGroup(keyGroup, keyedState);
    if (timers) this.timers.restoreKeyGroup(keyGroup, timers);
  }

  async close(): Promise<void> {
    await this.fn.close?.();
  }
}

export function createKeyedOperator(
  functions: Extract<OperatorFunctions, { kind: 'reduce' | 'process' }>,
  operator: ChainedOperator,
  descriptor: TaskDeploymentDescriptor,
  next: Output,
): KeyedOperator {
  const backend = new HeapKeyedStateBackend({
    operatorId: operator.id,
    maxParallelism: descriptor.maxParallelism,
    keyGroups: descriptor.keyGroups,
  });
  if (functions.kind === 'reduce') return new ReduceOperator(backend, functions.keySelector, functions.fn, next);
  return new ProcessOperator(backend, functions.keySelector, functions.fn, next, runtimeContext(backend, descriptor, operator.id));
}
    if (this.backend.hasPerRecordTtlCleanup) this.backend.cleanupExpiredPerRecord(); // TTL cleanupIncrementally(n, true)
