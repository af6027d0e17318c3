/**
 * Compile-time checks of the API's typing: the build of this file fails if a
 * line marked `@ts-expect-error` compiles, or if an `Expect<Equal<…>>` does
 * not hold. The negative cases live in a function that is never called; the
 * runtime test at the end compiles the positive job so the file counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  type Collector,
  type DataStream,
  type DataStreamSink,
  type KeyedProcessFunction,
  type KeyedStream,
  type SingleOutputStreamOperator,
  type StreamExecutionEnvironment,
} from '../src/index.js';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface WordCount {
  readonly word: string;
  readonly count: number;
}

const positiveJob = defineJob((env) => {
  const lines = env.fromElements('to be', 'or not to be');
  type _lines = Expect<Equal<typeof lines, SingleOutputStreamOperator<string>>>;

  const words = lines.flatMap((line) => line.split(' '));
  type _words = Expect<Equal<typeof words, SingleOutputStreamOperator<string>>>;

  const collected = lines.flatMap((line: string, out: Collector<number>) => out.collect(line.length));
  type _collected = Expect<Equal<typeof collected, SingleOutputStreamOperator<number>>>;

  const pairs = words.map((word) => ({ word, count: 1 })).uid('pairs').name('To pairs').setParallelism(1);
  type _pairs = Expect<Equal<typeof pairs, SingleOutputStreamOperator<{ word: string; count: number }>>>;

  const keyed = pairs.keyBy((pair) => pair.word);
  type _keyed = Expect<Equal<typeof keyed, KeyedStream<string, { word: string; count: number }>>>;

  const counts = keyed.sum('count');
  type _counts = Expect<Equal<typeof counts, SingleOutputStreamOperator<{ word: string; count: number }>>>;

  const totals = env.fromSequence(1, 10).keyBy((n) => n % 2).sum();
  type _totals = Expect<Equal<typeof totals, SingleOutputStreamOperator<number>>>;

  const composite = pairs.keyBy((pair) => [pair.word, pair.count]);
  type _composite = Expect<Equal<typeof composite, KeyedStream<(string | number)[], { word: string; count: number }>>>;

  const lengths = keyed.process({
    processElement(value, context, out: Collector<number>) {
      type _value = Expect<Equal<typeof value, { word: string; count: number }>>;
      type _key = Expect<Equal<ReturnType<typeof context.getCurrentKey>, string>>;
      out.collect(value.word.length);
    },
  });
  type _lengths = Expect<Equal<typeof lengths, SingleOutputStreamOperator<number>>>;

  const rebalanced: DataStream<number> = lengths.rebalance();
  const sink = rebalanced.filter((n) => n > 1).print('len').uid('print-lengths');
  type _sink = Expect<Equal<typeof sink, DataStreamSink<number>>>;
  counts.collect('counts');
  totals.addSink((total) => {
    type _total = Expect<Equal<typeof total, number>>;
  });
});

/** Never called: each marked line must fail to compile. */
export function linesThatMustNotCompile(env: StreamExecutionEnvironment): void {
  const numbers = env.fromSequence(1, 3);
  const records = env.fromElements<WordCount>({ word: 'a', count: 1 });

  // @ts-expect-error a number stream cannot be mapped by a function of strings
  numbers.map((text: string) => text.length);
  // @ts-expect-error mapping numbers to strings does not give a number stream
  const doubled: DataStream<number> = numbers.map((n) => `${n}${n}`);
  // @ts-expect-error a string stream is not a number stream
  const strings: DataStream<string> = numbers;
  // @ts-expect-error filter needs a predicate of the record type
  records.filter((n: number) => n > 0);

  // @ts-expect-error sum of a field the record does not have
  records.keyBy((r) => r.word).sum('missingField');
  // @ts-expect-error sum of a field that is not a number
  records.keyBy((r) => r.word).sum('word');
  // @ts-expect-error an object stream needs the field to sum
  records.keyBy((r) => r.word).sum();
  // @ts-expect-error a number stream has no fields
  numbers.keyBy((n) => n % 2).sum('count');

  // @ts-expect-error an object is not a key the runtime can hash
  records.keyBy((r) => ({ word: r.word }));
  // @ts-expect-error undefined is not a key
  records.keyBy(() => undefined);

  const byLength: KeyedProcessFunction<number, WordCount, string> = {
    processElement(value, context, out) {
      out.collect(`${context.getCurrentKey()}:${value.word}`);
    },
  };
  // @ts-expect-error the process function takes number keys, keyBy returns string keys
  records.keyBy((r) => r.word).process(byLength);
  // @ts-expect-error the process function takes WordCount records, not numbers
  numbers.keyBy((n) => n).process(byLength);
  // @ts-expect-error processElement reads a field the record does not have
  records.keyBy((r) => r.word).process({ processElement: (value) => value.missing });

  // @ts-expect-error a reduce must return the record type
  records.keyBy((r) => r.word).reduce((a, b) => a.count + b.count);
  // @ts-expect-error a sink of numbers does not take strings
  env.fromElements('a').addSink({ invoke: (value: number) => void value });
  // @ts-expect-error a sink has no output stream
  numbers.print().map((n: number) => n);
  // @ts-expect-error a keyed stream is not an operator: no uid before the keyed operator
  numbers.keyBy((n) => n).uid('keyed');
  // @ts-expect-error rebalance() only sets partitioning; it has no uid
  numbers.rebalance().uid('rebalanced');
  // @ts-expect-error uid takes a string
  numbers.map((n) => n).uid(7);
  // @ts-expect-error readTextFile gives strings
  const lineNumbers: DataStream<number> = env.readTextFile('/tmp/x');
  void [doubled, strings, lineNumbers];
}

test('the typed job compiles', () => {
  const { graph } = positiveJob.compile({ defaultParallelism: 1 });
  assert.equal(graph.operators.filter((operator) => operator.kind === 'sink').length, 3);
});
