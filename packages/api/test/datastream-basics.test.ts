import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  edgeId,
  extremumReducer,
  JobGraphError,
  validateJobGraph,
  type Collector,
  type JobGraph,
  type ProcessContext,
  type ReduceFunction,
} from '../src/index.js';

interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly volume: number;
}

/** Every record `fn` emits for the records in order (the first record of a key is emitted as is, as the runtime does). */
function rolling<T>(fn: ReduceFunction<unknown>, records: readonly T[]): T[] {
  const out: T[] = [];
  let accumulated: unknown;
  for (const record of records) {
    accumulated = accumulated === undefined ? record : fn(accumulated, record);
    out.push(accumulated as T);
  }
  return out;
}

const trades: Trade[] = [
  { symbol: 'A', price: 5, volume: 1 },
  { symbol: 'B', price: 3, volume: 2 },
  { symbol: 'C', price: 3, volume: 3 },
  { symbol: 'D', price: 7, volume: 4 },
  { symbol: 'E', price: 7, volume: 5 },
];

describe('min, max, minBy, maxBy', () => {
  test("min/max(field): the running extremum in the key's first record (Flink's rolling semantics)", () => {
    assert.deepEqual(rolling(extremumReducer('min', 'price'), trades).map((t) => `${t.symbol}${t.price}/${t.volume}`), [
      'A5/1', 'A3/1', 'A3/1', 'A3/1', 'A3/1',
    ]);
    assert.deepEqual(rolling(extremumReducer('max', 'price'), trades).map((t) => `${t.symbol}${t.price}/${t.volume}`), [
      'A5/1', 'A5/1', 'A5/1', 'A7/1', 'A7/1',
    ]);
  });

  test('minBy/maxBy(field): the whole record holding the extremum; ties keep the first unless first = false', () => {
    const symbols = (fn: ReduceFunction<unknown>): string => rolling(fn, trades).map((t) => t.symbol).join('');
    assert.equal(symbols(extremumReducer('minBy', 'price')), 'ABBBB');
    assert.equal(symbols(extremumReducer('minBy', 'price', false)), 'ABCCC');
    assert.equal(symbols(extremumReducer('maxBy', 'price')), 'AAADD');
    assert.equal(symbols(extremumReducer('maxBy', 'price', false)), 'AAADE');
  });

  test('the no-field forms aggregate numbers', () => {
    assert.deepEqual(rolling(extremumReducer('min', null), [4, 2, 9, 1]), [4, 2, 2, 1]);
    assert.deepEqual(rolling(extremumReducer('max', null), [4, 2, 9, 1]), [4, 4, 9, 9]);
    assert.deepEqual(rolling(extremumReducer('maxBy', null), [4, 2, 9, 1]), [4, 4, 9, 9]);
  });

  test('neither input is mutated', () => {
    const first = { symbol: 'A', price: 5, volume: 1 };
    const second = { symbol: 'B', price: 1, volume: 2 };
    const result = extremumReducer('min', 'price')(first, second);
    assert.deepEqual(first, { symbol: 'A', price: 5, volume: 1 });
    assert.deepEqual(result, { symbol: 'A', price: 1, volume: 1 });
  });

  test('a non-numeric field, a record without the field or a non-object record: an error naming the call and the field', () => {
    assert.throws(() => extremumReducer('max', 'price')({ price: 1 }, { price: '2' }), {
      name: 'TypeError',
      message: "max('price'): field 'price' is a string, not a number",
    });
    assert.throws(() => extremumReducer('minBy', 'price')({ price: 1 }, { cost: 2 }), {
      message: "minBy('price'): a record has no field 'price'",
    });
    assert.throws(() => extremumReducer('maxBy', 'price')({ price: 1 }, 7), { message: "maxBy('price') needs object records, got a number" });
    assert.throws(() => extremumReducer('min', null)(1, 'x'), { message: 'min(): the record is a string, not a number (give the field to aggregate)' });
  });

  test('they compile to keyed reduce variants with their field (and first) in params', () => {
    const { graph } = defineJob((env) => {
      const bySymbol = env.fromElements<Trade>(...trades).keyBy((t) => t.symbol);
      bySymbol.min('price').print();
      bySymbol.max('volume').print();
      bySymbol.minBy('price').print();
      bySymbol.maxBy('price', false).print();
      env.fromSequence(1, 3).keyBy((n) => n % 2).min().print();
    }).compile({ defaultParallelism: 2 });
    const reduces = graph.operators.filter((o) => o.kind === 'reduce');
    assert.deepEqual(
      reduces.map((o) => [o.id, o.name, o.keyed, o.params]),
      [
        ['reduce-min-1', 'Keyed Min', true, { field: 'price' }],
        ['reduce-max-3', 'Keyed Max', true, { field: 'volume' }],
        ['reduce-minBy-5', 'Keyed Min By', true, { field: 'price', first: true }],
        ['reduce-maxBy-7', 'Keyed Max By', true, { field: 'price', first: false }],
        ['reduce-min-10', 'Keyed Min', true, { field: null }],
      ],
    );
    for (const reduce of reduces) assert.equal(graph.edges.find((e) => e.target === reduce.id)?.partitioning, 'hash');
  });

  test('a bad field name or first flag is refused at the call', () => {
    const attempt = (build: Parameters<typeof defineJob>[0]): unknown => defineJob(build).compile({ defaultParallelism: 1 });
    assert.throws(
      () => attempt((env) => void env.fromElements<Trade>(trades[0]!).keyBy((t) => t.symbol).min('' as 'price').print()),
      (err: unknown) => err instanceof JobGraphError && err.code === 'INVALID_ARGUMENT' && /min\(field\) needs a non-empty field name/.test(err.message),
    );
    assert.throws(
      () => attempt((env) => void env.fromElements<Trade>(trades[0]!).keyBy((t) => t.symbol).maxBy('price', 'yes' as unknown as boolean).print()),
      (err: unknown) => err instanceof JobGraphError && /maxBy\('price'\): 'first' must be a boolean/.test(err.message),
    );
  });
});

describe('process() on a non-keyed stream', () => {
  const job = defineJob((env) => {
    env
      .fromSequence(1, 4)
      .process<string>({
        processElement(n: number, _context: ProcessContext, out: Collector<string>) {
          if (n % 2 === 0) out.collect(`even ${n}`);
        },
      })
      .print();
  });

  test('records a non-keyed process operator, chained like map (a forward edge)', () => {
    const { graph, functions } = job.compile({ defaultParallelism: 2 });
    const process = graph.operators[1]!;
    assert.deepEqual([process.id, process.name, process.kind, process.keyed], ['process-user-1', 'Process', 'process', false]);
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['forward', 'forward']);
    const fns = functions.get('process-user-1');
    assert.ok(fns?.kind === 'process' && 'keyed' in fns && fns.keyed === false);
    const out: string[] = [];
    const context: ProcessContext = {
      timestamp: () => undefined,
      timerService: () => {
        throw new Error('unused');
      },
      output: () => {
        throw new Error('unused');
      },
    };
    for (const n of [1, 2, 3, 4]) fns.fn.processElement(n, context, { collect: (s) => void out.push(String(s)) });
    assert.deepEqual(out, ['even 2', 'even 4']);
  });

  test('a function without processElement is refused at the call', () => {
    assert.throws(
      () => defineJob((env) => void env.fromSequence(1, 2).process({} as never).print()).compile({ defaultParallelism: 1 }),
      (err: unknown) => err instanceof JobGraphError && err.code === 'INVALID_ARGUMENT' && /process\(\) \(the function's processElement\) needs a function/.test(err.message),
    );
  });
});

describe('partitioners', () => {
  const job = defineJob((env) => {
    const numbers = env.fromSequence(1, 10);
    numbers.rescale().map((n) => n).print();
    numbers.shuffle().filter((n) => n > 0).print();
    numbers.global().map((n) => n + 1).setParallelism(3).print();
    numbers.partitionCustom((key: number, partitions) => key % partitions, (n) => n * 10).map((n) => n).print();
  });

  test('each applies to the next edge only, and is a non-forward edge (so never chained)', () => {
    const { graph } = job.compile({ defaultParallelism: 2 });
    assert.deepEqual(graph.edges.map((e) => `${e.source}->${e.target}:${e.partitioning}`), [
      'source-sequence-0->map-user-1:rescale',
      'map-user-1->sink-print-2:forward',
      'source-sequence-0->filter-user-3:shuffle',
      'filter-user-3->sink-print-4:forward',
      'source-sequence-0->map-user-5:global',
      'map-user-5->sink-print-6:rebalance',
      'source-sequence-0->map-user-7:custom',
      'map-user-7->sink-print-8:forward',
    ]);
  });

  test("a custom edge's partitioner and key selector are in the compiled job, by edge id, not in the JSON graph", () => {
    const { graph, partitioners } = job.compile({ defaultParallelism: 2 });
    assert.deepEqual([...(partitioners?.keys() ?? [])], [edgeId('source-sequence-0', 'map-user-7')]);
    const custom = partitioners!.get('source-sequence-0->map-user-7')!;
    assert.equal(custom.partitioner(custom.keySelector(3), 4), 2);
    assert.ok(!JSON.stringify(graph).includes('partitioner'));
  });

  test('the JSON graph with every partitioning validates; an unknown partitioning names the edge', () => {
    const { graph } = job.compile({ defaultParallelism: 2 });
    const json = JSON.parse(JSON.stringify(graph)) as JobGraph;
    assert.doesNotThrow(() => validateJobGraph(json));
    const broken = { ...json, edges: json.edges.map((e, i) => (i === 0 ? { ...e, partitioning: 'sideways' } : e)) } as unknown as JobGraph;
    assert.throws(
      () => validateJobGraph(broken),
      (err: unknown) =>
        err instanceof JobGraphError && err.code === 'INVALID_EDGE' &&
        err.message === `the edge from operator 'Source: Sequence' (source-sequence-0) to operator 'Map' (map-user-1) has an unknown partitioning "sideways"`,
    );
  });

  test('partitionCustom without functions is refused at the call', () => {
    const attempt = (partitioner: unknown, selector: unknown): unknown =>
      defineJob((env) => void env.fromSequence(1, 2).partitionCustom(partitioner as never, selector as never).print()).compile({ defaultParallelism: 1 });
    assert.throws(() => attempt(7, (n: number) => n), /partitionCustom\(\) \(the partitioner\) needs a function, got number/);
    assert.throws(() => attempt(() => 0, null), /partitionCustom\(\) \(the key selector\) needs a function, got null/);
  });

  test('a keyed operator behind a partitioner other than keyBy is not possible: keyBy sets its own hash edge', () => {
    const { graph } = defineJob((env) => void env.fromSequence(1, 4).shuffle().keyBy((n) => n % 2).max().print()).compile({ defaultParallelism: 2 });
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['hash', 'forward']);
  });
});
