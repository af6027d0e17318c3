import type { Collector, KeyedCoProcessFunction, KeySelector, RuntimeContext } from '@rivulet/api';
import type { HeapKeyedStateBackend } from '../../../state/index.js';
import type { ElementTimestamp } from '../../event-time/element-timestamp.js';
import type { WatermarkSink } from '../../event-time/watermark-sink.js';
import type { Output } from '../../output.js';
import { KeyedTwoInputOperator, type FiredTimer } from './keyed-two-input-operator.js';

/** connect(...).keyBy(k1, k2).process(KeyedCoProcessFunction) (Flink's KeyedCoProcessOperator). */
export class KeyedCoProcessOperator extends KeyedTwoInputOperator {
  readonly first: Output;
  readonly second: Output;

  constructor(
    backend: HeapKeyedStateBackend,
    keySelector1: KeySelector<unknown, unknown>,
    keySelector2: KeySelector<unknown, unknown>,
    private readonly fn: KeyedCoProcessFunction<unknown, unknown, unknown, unknown>,
    private readonly next: Output,
    runtime: RuntimeContext,
    timestamp: ElementTimestamp,
    watermarks: WatermarkSink,
    sideOutputs: (tagId: string, value: unknown) => void,
  ) {
    super(backend, fn, runtime, timestamp, watermarks, sideOutputs);
    const context = this.timerContext;
    const out = next as Collector<unknown>;
    this.first = {
      collect: (record) => {
        backend.setCurrentKey(keySelector1(record));
        fn.processElement1(record, context, out);
      },
    };
    this.second = {
      collect: (record) => {
        backend.setCurrentKey(keySelector2(record));
        fn.processElement2(record, context, out);
      },
    };
  }

  protected onTimer(timer: FiredTimer): void {
    this.fn.onTimer?.(timer.timestamp, this.timerContext, this.next as Collector<unknown>);
  }
}
