import type { Collector, ProcessContext, ProcessFunction, RuntimeContext, TimerService } from '@rivulet/api';
import type { ChainMember, Output } from '../output.js';

/** Flink's messages (TimerService.UNSUPPORTED_REGISTER_TIMER_MSG / UNSUPPORTED_DELETE_TIMER_MSG), word for word. */
export const UNSUPPORTED_REGISTER_TIMER_MESSAGE = 'Setting timers is only supported on a keyed streams.';
export const UNSUPPORTED_DELETE_TIMER_MESSAGE = 'Deleting timers is only supported on a keyed streams.';

/**
 * The time service of a non-keyed process function (Flink's ProcessOperator
 * context): reading the time works, setting or deleting a timer throws —
 * a timer fires for a key, and a non-keyed stream has none.
 */
export class NonKeyedTimerService implements TimerService {
  constructor(private readonly operator: string) {}

  currentProcessingTime(): number {
    return Date.now();
  }

  /** No watermarks reach a non-keyed process function's context yet: Flink's Long.MIN_VALUE. */
  currentWatermark(): number {
    return -Infinity;
  }

  registerProcessingTimeTimer(): void {
    this.unsupported(UNSUPPORTED_REGISTER_TIMER_MESSAGE);
  }

  deleteProcessingTimeTimer(): void {
    this.unsupported(UNSUPPORTED_DELETE_TIMER_MESSAGE);
  }

  registerEventTimeTimer(): void {
    this.unsupported(UNSUPPORTED_REGISTER_TIMER_MESSAGE);
  }

  deleteEventTimeTimer(): void {
    this.unsupported(UNSUPPORTED_DELETE_TIMER_MESSAGE);
  }

  private unsupported(message: string): never {
    throw new Error(`${message} (operator ${this.operator}: use keyBy(...).process(...) for timers)`);
  }
}

/**
 * process() on a non-keyed stream: the user's ProcessFunction, chained like
 * map. No state of its own and no copies (as map: what it emits is handed on
 * as is). `timestamp` reads the event timestamp of the record being
 * processed; until the chain tracks one, it is always undefined.
 */
export class ProcessOperator implements Output, ChainMember {
  private readonly context: ProcessContext;

  constructor(
    private readonly fn: ProcessFunction<unknown, unknown>,
    private readonly next: Output,
    private readonly runtime: RuntimeContext,
    /** How errors name the operator, e.g. `'Process' (process-user-2)`. */
    operator: string,
    timestamp: () => number | undefined = () => undefined,
    /** Side outputs of the chain (ctx.output), by OutputTag id. */
    sideOutputs: (tagId: string, value: unknown) => void = () => undefined,
  ) {
    const timerService = new NonKeyedTimerService(operator);
    this.context = { timestamp, timerService: () => timerService, output: (tag, value) => sideOutputs(tag.id, value) };
  }

  async open(): Promise<void> {
    await this.fn.open?.(this.runtime);
  }

  collect(record: unknown): void {
    this.fn.processElement(record, this.context, this.next as Collector<unknown>);
  }

  async close(): Promise<void> {
    await this.fn.close?.();
  }
}
