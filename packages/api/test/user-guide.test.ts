/**
 * The keyed-state example of docs/datastream-api.md, compiled and run against
 * a small in-memory RuntimeContext, so the guide's code keeps compiling and
 * doing what the guide says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  type Collector,
  type KeyedContext,
  type OnTimerContext,
  type KeyedProcessFunction,
  type RuntimeContext,
  type ValueState,
} from '../src/index.js';

interface Click {
  readonly user: string;
  readonly at: number;
}

/** Emits a user's click count once the user has been idle for 10 s. */
class IdleSessionCounter implements KeyedProcessFunction<string, Click, string> {
  private count!: ValueState<number>;
  private timer!: ValueState<number>;

  open(context: RuntimeContext): void {
    this.count = context.getValueState<number>('count', 0);
    this.timer = context.getValueState<number>('timer');
  }

  processElement(_click: Click, context: KeyedContext<string>, _out: Collector<string>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    const timers = context.timerService();
    const previous = this.timer.value();
    if (previous !== undefined) timers.deleteProcessingTimeTimer(previous);
    const fireAt = timers.currentProcessingTime() + 10_000;
    timers.registerProcessingTimeTimer(fireAt);
    this.timer.update(fireAt);
  }

  onTimer(_timestamp: number, context: KeyedContext<string>, out: Collector<string>): void {
    out.collect(`${context.getCurrentKey()}: ${this.count.value() ?? 0} clicks`);
    this.count.clear();
    this.timer.clear();
  }
}

const sessions = defineJob(
  (env) => {
    env
      .readTextFile('/data/clicks.jsonl')
      .map((line) => JSON.parse(line) as Click)
      .keyBy((click) => click.user)
      .process(new IdleSessionCounter())
      .uid('idle-sessions')
      .print('sessions');
  },
  { name: 'idle-sessions' },
);

/** One key's ValueStates, enough for the example (the runtime scopes state to the current key). */
function singleKeyContext(): RuntimeContext {
  const values = new Map<string, unknown>();
  const valueState = <T>(name: string, defaultValue?: T): ValueState<T> => ({
    value: () => (values.has(name) ? (values.get(name) as T) : defaultValue),
    update: (value) => void values.set(name, value),
    clear: () => void values.delete(name),
  });
  const unsupported = (): never => assert.fail('not used by the example');
  return {
    operatorId: 'idle-sessions', subtaskIndex: 0, parallelism: 1, maxParallelism: 128,
    getValueState: valueState, getListState: unsupported, getMapState: unsupported,
  };
}

test('the keyed process example of the user guide', async () => {
  const { graph, functions } = sessions.compile({ defaultParallelism: 2 });
  assert.deepEqual(graph.operators.map((o) => `${o.id}:${String(o.keyed)}`), [
    'source-textFile-0:false', 'map-user-1:false', 'idle-sessions:true', 'sink-print-3:false',
  ]);
  const process = functions.get('idle-sessions');
  assert.ok(process?.kind === 'process' && 'keySelector' in process);
  assert.equal(process.keySelector({ user: 'ada', at: 1 }), 'ada');

  const timers = new Set<number>();
  let now = 1_000;
  const context: OnTimerContext<unknown> = {
    getCurrentKey: () => 'ada',
    timerService: () => ({
      currentProcessingTime: () => now,
      registerProcessingTimeTimer: (at) => void timers.add(at),
      deleteProcessingTimeTimer: (at) => void timers.delete(at),
      currentWatermark: () => -Infinity,
      registerEventTimeTimer: () => {},
      deleteEventTimeTimer: () => {},
    }),
    timestamp: () => undefined,
    output: () => undefined,
    timeDomain: () => 'PROCESSING_TIME',
  };
  const out: string[] = [];
  const collector = { collect: (line: unknown) => void out.push(String(line)) };
  await process.fn.open?.(singleKeyContext());
  process.fn.processElement({ user: 'ada', at: 1 }, context, collector);
  now = 5_000;
  process.fn.processElement({ user: 'ada', at: 5 }, context, collector);
  assert.deepEqual([...timers], [15_000], 'the second click moved the timer');
  process.fn.onTimer?.(15_000, context, collector);
  assert.deepEqual(out, ['ada: 2 clicks']);
});
