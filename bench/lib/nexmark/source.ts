import { WatermarkStrategy, type MapFunctionObject, type RuntimeContext, type SingleOutputStreamOperator, type StreamExecutionEnvironment } from '@rivulet/api';
import type { GeneratorOptions } from './config.js';
import { NexmarkGenerator } from './generator.js';
import { InterleavedPositions } from './interleave.js';
import { eventTime, type NexmarkEvent } from './model.js';

export interface NexmarkSourceOptions {
  /** Events over all subtasks: stream positions 0..events-1. */
  readonly events: number;
  readonly parallelism: number;
  readonly generator: GeneratorOptions;
  /** Bound of the watermark strategy (the Flink suite's DDL uses 4 s). */
  readonly watermarkOutOfOrdernessMs: number;
}

/** Maps a sequence number of its subtask's fromSequence range to the event at the interleaved position. */
class EventOfSequenceNumber implements MapFunctionObject<number, NexmarkEvent> {
  private positions: InterleavedPositions | undefined;
  private readonly generator: NexmarkGenerator;

  constructor(private readonly events: number, generator: GeneratorOptions) {
    this.generator = new NexmarkGenerator(generator);
  }

  open(context: RuntimeContext): void {
    this.positions = new InterleavedPositions(this.events, context.subtaskIndex, context.parallelism);
  }

  map(sequence: number): NexmarkEvent {
    return this.generator.eventAt(this.positions!.positionOf(sequence));
  }
}

/**
 * The parallel Nexmark source: `fromSequence` split over `parallelism`
 * subtasks, each number mapped to its interleaved event, then event
 * timestamps and bounded-out-of-orderness watermarks — three operators
 * chained in one task per subtask.
 */
export function nexmarkSource(env: StreamExecutionEnvironment, options: NexmarkSourceOptions): SingleOutputStreamOperator<NexmarkEvent> {
  const { events, parallelism } = options;
  if (!(Number.isSafeInteger(events) && events >= 1)) throw new Error(`nexmark: the number of events must be an integer >= 1, not ${events}`);
  return env
    .fromSequence(0, events - 1)
    .setParallelism(parallelism)
    .name('Nexmark sequence')
    .map(new EventOfSequenceNumber(events, options.generator))
    .setParallelism(parallelism)
    .name('Nexmark generator')
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(options.watermarkOutOfOrdernessMs).withTimestampAssigner((event) => eventTime(event)),
    )
    .setParallelism(parallelism)
    .name('Nexmark timestamps');
}
