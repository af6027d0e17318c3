import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  invokeFlatMap,
  sumReducer,
  type CompiledJob,
  type KeyedContext,
  type OperatorFunctions,
  type TimerService,
} from '../src/index.js';

function functionsOf<K extends OperatorFunctions['kind']>(compiled: CompiledJob, id: string, kind: K): Extract<OperatorFunctions, { kind: K }> {
  const functions = compiled.functions.get(id);
  assert.ok(functions, `no functions for ${id}`);
  assert.equal(functions.kind, kind);
  return functions as Extract<OperatorFunctions, { kind: K }>;
}

function collectInto<T>(): { records: T[]; collect(record: T): void } {
  const records: T[] = [];
  return { records, collect: (record) => void records.push(record) };
}

describe('the functions map', () => {
  const printed: string[] = [];
  const compiled = defineJob((env) => {
    env
      .fromElements('to be', 'or not')
      .flatMap((line) => line.split(' '))
      .filter((word) => word !== 'not')
      .map((word) => ({ word, count: 1, first: word.length }))
      .keyBy((pair) => pair.word)
      .sum('count')
      .keyBy((pair) => pair.count)
      .process<string>({
        processElement(value, context, out) {
          out.collect(`${String(context.getCurrentKey())}:${value.word}`);
        },
      })
      .addSink((line) => void printed.push(line));
  }).compile({ defaultParallelism: 1 });

  test('has one entry per operator, of the operator kind', () => {
    assert.deepEqual(
      [...compiled.functions].map(([id, functions]) => [id, functions.kind]),
      compiled.graph.operators.map((operator) => [operator.id, operator.kind]),
    );
  });

  test('fromElements keeps its values in the functions map, not in the graph', () => {
    const source = functionsOf(compiled, 'source-elements-0', 'source');
    assert.deepEqual(source.elements, ['to be', 'or not']);
    assert.ok(!JSON.stringify(compiled.graph).includes('to be'));
  });

  test('map, filter and flatMap functions run as written', () => {
    const out = collectInto<unknown>();
    invokeFlatMap(functionsOf(compiled, 'flatMap-user-1', 'flatMap').fn, 'to be', out);
    assert.deepEqual(out.records, ['to', 'be']);
    const filter = functionsOf(compiled, 'filter-user-2', 'filter').fn;
    assert.deepEqual([filter('not'), filter('be')], [false, true]);
    assert.deepEqual(functionsOf(compiled, 'map-user-3', 'map').fn('to'), { word: 'to', count: 1, first: 2 });
  });

  test('keyed operators carry their key selector', () => {
    const sum = functionsOf(compiled, 'reduce-sum-4', 'reduce');
    assert.equal(sum.keySelector({ word: 'to', count: 1 }), 'to');
    const process = functionsOf(compiled, 'process-user-5', 'process');
    assert.ok('keySelector' in process, 'a keyed process');
    assert.equal(process.keySelector({ word: 'to', count: 7 }), 7);
  });

  test('the generated sum adds the field and keeps the other fields of the accumulated record', () => {
    const { fn } = functionsOf(compiled, 'reduce-sum-4', 'reduce');
    const first = { word: 'to', count: 1, first: 2 };
    const second = { word: 'to', count: 4, first: 99 };
    assert.deepEqual(fn(first, second), { word: 'to', count: 5, first: 2 });
    assert.deepEqual(first, { word: 'to', count: 1, first: 2 }, 'inputs are not mutated');
  });

  test('the process function emits through the collector with the current key', () => {
    const process = functionsOf(compiled, 'process-user-5', 'process');
    assert.ok('keySelector' in process, 'a keyed process');
    const { fn } = process;
    const timers: TimerService = {
      currentProcessingTime: () => 0,
      registerProcessingTimeTimer: () => {},
      deleteProcessingTimeTimer: () => {},
      currentWatermark: () => -Infinity,
      registerEventTimeTimer: () => {},
      deleteEventTimeTimer: () => {},
    };
    const context: KeyedContext<unknown> = { getCurrentKey: () => 3, timerService: () => timers, timestamp: () => undefined, output: () => undefined };
    const out = collectInto<unknown>();
    fn.processElement({ word: 'be', count: 3 }, context, out);
    assert.deepEqual(out.records, ['3:be']);
  });

  test('addSink with a plain function becomes a SinkFunction', async () => {
    const sink = functionsOf(compiled, 'sink-custom-6', 'sink');
    assert.ok(sink.fn);
    await sink.fn.invoke('1:to');
    assert.deepEqual(printed, ['1:to']);
  });

  test('built-in sinks have no function', () => {
    const job = defineJob((env) => {
      const numbers = env.fromSequence(1, 2);
      numbers.print();
      numbers.writeAsText('/tmp/out');
      numbers.collect('numbers');
    }).compile({ defaultParallelism: 1 });
    for (const id of ['sink-print-1', 'sink-file-2', 'sink-collect-3']) assert.deepEqual(job.functions.get(id), { kind: 'sink' });
    assert.deepEqual(job.functions.get('source-sequence-0'), { kind: 'source' });
  });
});

describe('invokeFlatMap', () => {
  test('a returned array is emitted in order', () => {
    const out = collectInto<number>();
    invokeFlatMap((n: number) => [n, n * 10], 2, out);
    assert.deepEqual(out.records, [2, 20]);
  });

  test('records collected through out are emitted, and undefined returns nothing more', () => {
    const out = collectInto<string>();
    invokeFlatMap((line: string, collector) => {
      for (const word of line.split(' ')) collector.collect(word);
    }, 'a b c', out);
    assert.deepEqual(out.records, ['a', 'b', 'c']);
  });

  test('both: collected records first, then the returned iterable (a generator works too)', () => {
    const out = collectInto<string>();
    invokeFlatMap(function* (word: string, collector) {
      collector.collect(`${word}!`);
      yield word;
    }, 'x', out);
    // a generator's body runs only when iterated, so here the order follows the iteration
    assert.deepEqual(out.records, ['x!', 'x']);
    const both = collectInto<string>();
    invokeFlatMap((word: string, collector) => {
      collector.collect('collected');
      return [word];
    }, 'returned', both);
    assert.deepEqual(both.records, ['collected', 'returned']);
  });
});

describe('sumReducer', () => {
  test('sums numbers', () => {
    assert.equal(sumReducer(null)(2, 3), 5);
  });

  test('refuses values that are not numbers, naming the field', () => {
    assert.throws(() => sumReducer('count')({ count: 1 }, { count: '2' }), { name: 'TypeError', message: "sum: field 'count' is string, not a number" });
    assert.throws(() => sumReducer('count')({ count: 1 }, {}), { name: 'TypeError', message: "sum: field 'count' is undefined, not a number" });
    assert.throws(() => sumReducer('count')(1, 2), { name: 'TypeError', message: "sum('count') needs object records, got number" });
    assert.throws(() => sumReducer(null)('1', 2), { name: 'TypeError', message: 'sum: record is string, not a number' });
  });
});
