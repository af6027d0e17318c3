/**
 * Compile-time checks of min/max/minBy/maxBy, process() on a non-keyed
 * stream and the partitioners (as types.test.ts): the build of this file
 * fails if a line marked `@ts-expect-error` compiles, or if an
 * `Expect<Equal<…>>` does not hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  type Collector,
  type DataStream,
  type ProcessContext,
  type ProcessFunction,
  type SingleOutputStreamOperator,
  type StreamExecutionEnvironment,
} from '../src/index.js';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Trade {
  readonly symbol: string;
  readonly price: number;
  readonly volume: number;
}

const positiveJob = defineJob((env) => {
  const trades = env.fromElements<Trade>({ symbol: 'A', price: 1, volume: 10 });
  const bySymbol = trades.keyBy((t) => t.symbol);

  const lowest = bySymbol.min('price');
  type _lowest = Expect<Equal<typeof lowest, SingleOutputStreamOperator<Trade>>>;
  const highest = bySymbol.max('volume');
  type _highest = Expect<Equal<typeof highest, SingleOutputStreamOperator<Trade>>>;
  const cheapest = bySymbol.minBy('price');
  type _cheapest = Expect<Equal<typeof cheapest, SingleOutputStreamOperator<Trade>>>;
  const latestDearest = bySymbol.maxBy('price', false);
  type _latestDearest = Expect<Equal<typeof latestDearest, SingleOutputStreamOperator<Trade>>>;

  const numbers = env.fromSequence(1, 10).keyBy((n) => n % 2);
  const numberMin = numbers.min();
  type _numberMin = Expect<Equal<typeof numberMin, SingleOutputStreamOperator<number>>>;
  const numberMaxBy = numbers.maxBy();
  type _numberMaxBy = Expect<Equal<typeof numberMaxBy, SingleOutputStreamOperator<number>>>;

  const described = trades.process({
    processElement(trade, context, out: Collector<string>) {
      type _trade = Expect<Equal<typeof trade, Trade>>;
      type _context = Expect<Equal<typeof context, ProcessContext>>;
      type _timestamp = Expect<Equal<ReturnType<typeof context.timestamp>, number | undefined>>;
      out.collect(`${trade.symbol}@${trade.price}`);
    },
  });
  type _described = Expect<Equal<typeof described, SingleOutputStreamOperator<string>>>;

  const lengths: ProcessFunction<string, number> = { processElement: (line, _context, out) => out.collect(line.length) };
  const measured = described.process(lengths).uid('lengths').setParallelism(2);
  type _measured = Expect<Equal<typeof measured, SingleOutputStreamOperator<number>>>;

  const rescaled: DataStream<number> = measured.rescale();
  const shuffled: DataStream<number> = measured.shuffle();
  const global: DataStream<number> = measured.global();
  const custom = trades.partitionCustom((symbol: string, partitions) => symbol.length % partitions, (t) => t.symbol);
  type _custom = Expect<Equal<typeof custom, DataStream<Trade>>>;
  const customNumbers = measured.partitionCustom((n: number, partitions) => n % partitions, (n) => n);
  type _customNumbers = Expect<Equal<typeof customNumbers, DataStream<number>>>;

  highest.collect('highest');
  cheapest.collect('cheapest');
  latestDearest.collect('latest-dearest');
  lowest.print();
  numberMin.print();
  numberMaxBy.print();
  rescaled.print();
  shuffled.print();
  global.print();
  custom.map((t) => t.price).print();
  customNumbers.print();
});

/** Never called: each marked line must fail to compile. */
export function linesThatMustNotCompile(env: StreamExecutionEnvironment): void {
  const numbers = env.fromSequence(1, 3);
  const trades = env.fromElements<Trade>({ symbol: 'A', price: 1, volume: 10 });
  const bySymbol = trades.keyBy((t) => t.symbol);

  // @ts-expect-error min of a field the record does not have
  bySymbol.min('missing');
  // @ts-expect-error max of a field that is not a number
  bySymbol.max('symbol');
  // @ts-expect-error minBy of a field that is not a number
  bySymbol.minBy('symbol');
  // @ts-expect-error maxBy's second argument is a boolean
  bySymbol.maxBy('price', 'last');
  // @ts-expect-error a record stream needs the field
  bySymbol.min();
  // @ts-expect-error a number stream has no fields
  numbers.keyBy((n) => n).maxBy('price');
  // @ts-expect-error min is on keyed streams only
  numbers.min();

  // @ts-expect-error the process function takes strings, the stream has numbers
  numbers.process({ processElement: (value: string) => void value });
  // @ts-expect-error a non-keyed context has no current key
  numbers.process({ processElement: (_value, context) => context.getCurrentKey() });
  // @ts-expect-error a non-keyed process function has no onTimer to type its context
  const withTimer: ProcessFunction<number, number> = { processElement: () => {}, onTimer: () => {} };

  // @ts-expect-error the key selector must fit the partitioner's key type
  trades.partitionCustom((key: number, partitions) => key % partitions, (t) => t.symbol);
  // @ts-expect-error the partitioner returns a subtask number
  numbers.partitionCustom((key, _partitions) => `${key}`, (n) => n);
  // @ts-expect-error rescale() only sets partitioning; it has no uid
  numbers.rescale().uid('rescaled');
  // @ts-expect-error shuffle() only sets partitioning; it has no setParallelism
  numbers.shuffle().setParallelism(2);
  // @ts-expect-error global() only sets partitioning; it has no name
  numbers.global().name('global');
  void withTimer;
}

test('the typed job of min/max/minBy/maxBy, process and the partitioners compiles', () => {
  const { graph } = positiveJob.compile({ defaultParallelism: 1 });
  assert.equal(graph.operators.filter((operator) => operator.kind === 'sink').length, 11);
});
