/**
 * Compile-time checks of the windowing, side-output and event-time API: the
 * build fails if a line marked `@ts-expect-error` compiles or an
 * `Expect<Equal<…>>` does not hold (as types.test.ts); the runtime test
 * compiles the positive job so the file counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountTrigger,
  EventTimeSessionWindows,
  OutputTag,
  SlidingEventTimeWindows,
  TimeEvictor,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  defineJob,
  type Collector,
  type DataStream,
  type SingleOutputStreamOperator,
  type TimeWindow,
  type WindowedStream,
} from '../src/index.js';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Bid {
  readonly auction: number;
  readonly price: number;
  readonly at: number;
}

const positiveJob = defineJob((env) => {
  const bids = env
    .fromElements<Bid>({ auction: 1, price: 10, at: 0 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Bid>(1000).withTimestampAssigner((b) => b.at));
  type _bids = Expect<Equal<typeof bids, SingleOutputStreamOperator<Bid>>>;

  const windowed = bids.keyBy((b) => b.auction).window(TumblingEventTimeWindows.of<Bid>(10_000));
  type _windowed = Expect<Equal<typeof windowed, WindowedStream<Bid, number, TimeWindow>>>;

  const maxPrice = windowed.reduce((a, b) => (a.price >= b.price ? a : b));
  type _maxPrice = Expect<Equal<typeof maxPrice, SingleOutputStreamOperator<Bid>>>;

  const counts = bids
    .keyBy((b) => b.auction)
    .window(SlidingEventTimeWindows.of<Bid>(10_000, 2_000))
    .aggregate(
      { createAccumulator: () => 0, add: (_b: Bid, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b },
      (auction, ctx, results, out: Collector<{ auction: number; end: number; count: number }>) => {
        type _key = Expect<Equal<typeof auction, number>>;
        type _results = Expect<Equal<typeof results, readonly number[]>>;
        out.collect({ auction, end: ctx.window().maxTimestamp(), count: results[0]! });
      },
    );
  type _counts = Expect<Equal<typeof counts, SingleOutputStreamOperator<{ auction: number; end: number; count: number }>>>;

  const late = new OutputTag<Bid>('late');
  const sessions = bids
    .keyBy((b) => String(b.auction))
    .window(EventTimeSessionWindows.withGap<Bid>(5_000))
    .allowedLateness(1_000)
    .sideOutputLateData(late)
    .process<number>((_key, _ctx, elements, out) => out.collect(elements.length));
  const lateBids = sessions.getSideOutput(late);
  type _lateBids = Expect<Equal<typeof lateBids, DataStream<Bid>>>;

  bids.keyBy((b) => b.auction).countWindow(3, 1).evictor(TimeEvictor.of(1000)).trigger(CountTrigger.of(2)).reduce((a) => a).collect('counted');
  maxPrice.collect('max');
  counts.collect('counts');
  lateBids.collect('late');
});

// Never called: each line must fail to compile.
export function negativeCases(): void {
  defineJob((env) => {
    const bids = env.fromElements<Bid>({ auction: 1, price: 10, at: 0 });
    // @ts-expect-error windows need a keyed stream (Flink's windowAll is not offered)
    bids.window(TumblingEventTimeWindows.of(1000));
    // @ts-expect-error a window's reduce combines records of the stream's type
    bids.keyBy((b) => b.auction).window(TumblingEventTimeWindows.of<Bid>(1000)).reduce((a: number, b: number) => a + b);
    // @ts-expect-error the late side output carries the stream's records
    bids.keyBy((b) => b.auction).window(TumblingEventTimeWindows.of<Bid>(1000)).sideOutputLateData(new OutputTag<string>('late'));
    // @ts-expect-error the timestamp assigner returns a number
    WatermarkStrategy.forMonotonousTimestamps<Bid>().withTimestampAssigner((b) => String(b.at));
  });
}

test('the windowing and side-output typings compile into a job', () => {
  const compiled = positiveJob.compile({ defaultParallelism: 1 });
  assert.ok(compiled.graph.operators.some((op) => op.kind === 'window'));
});
