import type { DataStream } from '@rivulet/api';
import type { NexmarkEvent } from '../model.js';

/** Where a query's result goes: a discarding sink when measuring, a collect sink when checking. */
export type ResultSink = <T>(results: DataStream<T>) => void;

/** A Nexmark query: builds its operators on the generator's events and hands its result to `sink`. */
export type NexmarkQuery = (events: DataStream<NexmarkEvent>, sink: ResultSink) => void;
