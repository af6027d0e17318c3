/**
 * Compile-time checks of the API for joining streams (union, connect,
 * window join, interval join), as types.test.ts: the build fails if a line
 * marked `@ts-expect-error` compiles or an `Expect<Equal<…>>` does not hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TumblingEventTimeWindows, defineJob, type ConnectedStreams, type DataStream, type SingleOutputStreamOperator } from '../src/index.js';

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

interface Order {
  readonly id: string;
  readonly amount: number;
}
interface Payment {
  readonly orderId: string;
  readonly paid: number;
}

const positiveJob = defineJob((env) => {
  const orders = env.fromElements<Order>({ id: 'a', amount: 3 });
  const payments = env.fromElements<Payment>({ orderId: 'a', paid: 3 });

  const both = orders.map((o) => o.id).union(payments.map((p) => p.orderId));
  type _both = Expect<Equal<typeof both, DataStream<string>>>;

  const connected = orders.connect(payments);
  type _connected = Expect<Equal<typeof connected, ConnectedStreams<Order, Payment>>>;

  const amounts = connected.map({ map1: (o) => o.amount, map2: (p) => p.paid });
  type _amounts = Expect<Equal<typeof amounts, SingleOutputStreamOperator<number>>>;

  const joined = orders
    .join(payments)
    .where((o) => o.id)
    .equalTo((p) => p.orderId)
    .window(TumblingEventTimeWindows.of(1000))
    .apply((o, p) => ({ id: o.id, due: o.amount - p.paid }));
  type _joined = Expect<Equal<typeof joined, SingleOutputStreamOperator<{ id: string; due: number }>>>;

  both.collect('ids');
  amounts.collect('amounts');
  joined.collect('joined');
});

// Never called: each line must fail to compile.
export function negativeCases(): void {
  defineJob((env) => {
    const orders = env.fromElements<Order>({ id: 'a', amount: 3 });
    const payments = env.fromElements<Payment>({ orderId: 'a', paid: 3 });
    // @ts-expect-error union needs streams of the same record type
    orders.union(payments);
    // @ts-expect-error map2 receives the second input's records
    orders.connect(payments).map({ map1: (o) => o.amount, map2: (p: Order) => p.amount });
    // @ts-expect-error the join's keys must have the same type on both sides
    orders.join(payments).where((o) => o.id).equalTo((p) => p.paid);
  });
}

test('the joining typings compile into a job', () => {
  const { graph } = positiveJob.compile({ defaultParallelism: 1 });
  assert.ok(graph.operators.some((op) => op.kind === 'coMap'));
});
