import { JobGraphError } from '../errors.js';
import type { KeySelector } from '../functions.js';
import type { RecordedInput, RecordingGraph } from '../graph/recording-graph.js';
import type { BroadcastProcessFunction, BroadcastStateDescriptor, KeyedBroadcastProcessFunction } from '../two-input-functions.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import { requireFunction } from './operator-settings.js';
import { addTwoInputOperator } from './two-input-operator.js';
import { requireDistinctInputs } from './connected-streams.js';

/**
 * A broadcast state descriptor (Flink's MapStateDescriptor given to
 * broadcast()): names a map from K to V kept, identically, by every subtask
 * of the operator that reads the broadcast stream.
 */
export function broadcastStateDescriptor<K, V>(name: string): BroadcastStateDescriptor<K, V> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new JobGraphError('INVALID_ARGUMENT', `broadcastStateDescriptor() needs a non-empty name, got ${JSON.stringify(name)}`);
  }
  return Object.freeze({ name });
}

/** Checks the descriptors given to broadcast(...): at least one, each named, no name twice. */
export function checkBroadcastDescriptors(descriptors: readonly unknown[]): BroadcastStateDescriptor<unknown, unknown>[] {
  if (descriptors.length === 0) throw new JobGraphError('INVALID_ARGUMENT', 'broadcast(descriptor) needs at least one broadcast state descriptor');
  const names = new Set<string>();
  return descriptors.map((d, i) => {
    const name = (d as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new JobGraphError('INVALID_ARGUMENT', `broadcast(): descriptor ${i + 1} has no name (use broadcastStateDescriptor('name'))`);
    }
    if (names.has(name)) throw new JobGraphError('INVALID_ARGUMENT', `broadcast(): the broadcast state '${name}' is named twice`);
    names.add(name);
    return { name };
  });
}

/**
 * A stream broadcast with broadcast state (Flink's BroadcastStream): every
 * record reaches every subtask of the operator it is connected to, which
 * keeps it in the named broadcast state. Connect a stream to it:
 * `events.connect(rules)` or `events.keyBy(k).connect(rules)`.
 */
export class BroadcastStream<T> {
  declare readonly recordType?: T;

  /** @internal Created by DataStream.broadcast(descriptor); not for job code. */
  constructor(
    readonly graph: RecordingGraph,
    /** The broadcast edges (one per unioned stream). */
    readonly edges: readonly RecordedInput[],
    readonly descriptors: readonly BroadcastStateDescriptor<unknown, unknown>[],
  ) {}
}

/** A non-keyed stream connected with a broadcast stream (Flink's BroadcastConnectedStream). */
export class BroadcastConnectedStream<IN1, IN2> {
  /** @internal Created by DataStream.connect(broadcastStream); not for job code. */
  constructor(
    private readonly graph: RecordingGraph,
    private readonly first: readonly RecordedInput[],
    private readonly broadcast: BroadcastStream<IN2>,
  ) {
    requireDistinctInputs('connect(broadcastStream)', first, broadcast.edges);
  }

  /**
   * processElement for the non-broadcast records (broadcast state
   * read-only), processBroadcastElement for the broadcast ones (read-write:
   * change it the same way on every subtask, as Flink requires).
   */
  process<R>(fn: BroadcastProcessFunction<IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireFunction(fn?.processElement, 'connect(broadcastStream).process() (the function\'s processElement)');
    requireFunction(fn?.processBroadcastElement, 'connect(broadcastStream).process() (the function\'s processBroadcastElement)');
    const functions = {
      kind: 'broadcastProcess',
      keyed: false,
      descriptors: this.broadcast.descriptors,
      fn: fn as BroadcastProcessFunction<unknown, unknown, unknown>,
    } as const;
    const params = { broadcastStates: this.broadcast.descriptors.map((d) => d.name) };
    return addTwoInputOperator<R>(this.graph, { kind: 'broadcastProcess', variant: 'user', name: 'Co-Process-Broadcast', params }, this.first, this.broadcast.edges, false, functions);
  }
}

/** A keyed stream connected with a broadcast stream: process takes a KeyedBroadcastProcessFunction. */
export class KeyedBroadcastConnectedStream<K, IN1, IN2> {
  declare readonly keyType?: K;

  /** @internal Created by KeyedStream.connect(broadcastStream); not for job code. */
  constructor(
    private readonly graph: RecordingGraph,
    private readonly first: readonly RecordedInput[],
    private readonly keySelector: KeySelector<unknown, unknown>,
    private readonly broadcast: BroadcastStream<IN2>,
  ) {
    requireDistinctInputs('connect(broadcastStream)', first, broadcast.edges);
  }

  /**
   * processElement per keyed record (its key's state, timers, broadcast
   * state read-only), processBroadcastElement per broadcast record
   * (broadcast state read-write, every key's state through applyToKeyedState).
   */
  process<R>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, R>): SingleOutputStreamOperator<R> {
    requireFunction(fn?.processElement, 'keyBy(...).connect(broadcastStream).process() (the function\'s processElement)');
    requireFunction(fn?.processBroadcastElement, 'keyBy(...).connect(broadcastStream).process() (the function\'s processBroadcastElement)');
    const functions = {
      kind: 'broadcastProcess',
      keyed: true,
      keySelector: this.keySelector,
      descriptors: this.broadcast.descriptors,
      fn: fn as KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>,
    } as const;
    const params = { broadcastStates: this.broadcast.descriptors.map((d) => d.name) };
    return addTwoInputOperator<R>(this.graph, { kind: 'broadcastProcess', variant: 'user', name: 'Keyed Co-Process-Broadcast', params }, this.first, this.broadcast.edges, true, functions);
  }
}
