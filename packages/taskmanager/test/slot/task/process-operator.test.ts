import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Collector, ProcessContext, ProcessFunction, RuntimeContext } from '@rivulet/api';
import { ProcessOperator } from '../../../src/slot/task/operators/process-operator.js';
import { staticRuntimeContext } from '../../../src/slot/task/runtime-context.js';

function collecting(): { records: unknown[]; collect(record: unknown): void } {
  const records: unknown[] = [];
  return { records, collect: (record) => void records.push(record) };
}

function operatorOf(fn: ProcessFunction<unknown, unknown>, out = collecting()): { operator: ProcessOperator; out: ReturnType<typeof collecting> } {
  const context = staticRuntimeContext('process-user-1', 1, 2, 128);
  return { operator: new ProcessOperator(fn, out, context, "'Process' (process-user-1)"), out };
}

describe('process() on a non-keyed stream', () => {
  test('open, processElement emitting any number of records, close', async () => {
    const calls: string[] = [];
    const { operator, out } = operatorOf({
      open(context: RuntimeContext) {
        calls.push(`open ${context.operatorId} ${context.subtaskIndex}/${context.parallelism}`);
      },
      processElement(value, _context, collector: Collector<unknown>) {
        for (let i = 0; i < (value as number); i++) collector.collect(`${String(value)}.${i}`);
      },
      close() {
        calls.push('close');
      },
    });
    await operator.open();
    for (const value of [0, 1, 2]) operator.collect(value);
    await operator.close();
    assert.deepEqual(out.records, ['1.0', '2.0', '2.1']);
    assert.deepEqual(calls, ['open process-user-1 1/2', 'close']);
  });

  test('ctx.timestamp() is undefined (no event time yet); currentProcessingTime works', () => {
    const seen: unknown[] = [];
    const { operator } = operatorOf({
      processElement(_value, context: ProcessContext) {
        seen.push(context.timestamp(), typeof context.timerService().currentProcessingTime());
      },
    });
    operator.collect(1);
    assert.deepEqual(seen, [undefined, 'number']);
  });

  test("setting or deleting a timer throws Flink's error, naming the operator", () => {
    const attempts: Array<(context: ProcessContext) => void> = [
      (context) => context.timerService().registerProcessingTimeTimer(1),
      (context) => context.timerService().deleteProcessingTimeTimer(1),
    ];
    const messages = attempts.map((attempt) => {
      const { operator } = operatorOf({ processElement: (_value, context) => attempt(context) });
      try {
        operator.collect(1);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    });
    assert.deepEqual(messages, [
      "Setting timers is only supported on a keyed streams. (operator 'Process' (process-user-1): use keyBy(...).process(...) for timers)",
      "Deleting timers is only supported on a keyed streams. (operator 'Process' (process-user-1): use keyBy(...).process(...) for timers)",
    ]);
  });

  test('keyed state from the runtime context fails: there is no key', async () => {
    const { operator } = operatorOf({
      open(context) {
        context.getValueState('count');
      },
      processElement() {},
    });
    await assert.rejects(operator.open(), /operator "process-user-1" is not keyed: keyed state is only available after keyBy\(\)/);
  });
});
