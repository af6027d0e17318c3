import { JobGraphError } from '../errors.js';
import type { RecordedOperator, RecordingGraph } from '../graph/recording-graph.js';

/**
 * The settings every operator accepts (uid, name, parallelism), shared by
 * SingleOutputStreamOperator and DataStreamSink. Arguments of the wrong type
 * are refused at once; parallelism bounds are checked when the job compiles,
 * where maxParallelism is known.
 */
export function setOperatorUid(graph: RecordingGraph, operator: RecordedOperator, uid: string): void {
  graph.assertOpen();
  if (typeof uid !== 'string' || uid.trim().length === 0) {
    throw new JobGraphError('INVALID_ARGUMENT', `uid() of operator '${operator.name}' needs a non-empty string, got ${JSON.stringify(uid)}`);
  }
  operator.uid = uid;
}

export function setOperatorName(graph: RecordingGraph, operator: RecordedOperator, name: string): void {
  graph.assertOpen();
  if (typeof name !== 'string' || name.length === 0) {
    throw new JobGraphError('INVALID_ARGUMENT', `name() of operator '${operator.name}' needs a non-empty string, got ${JSON.stringify(name)}`);
  }
  operator.name = name;
}

export function setOperatorParallelism(graph: RecordingGraph, operator: RecordedOperator, parallelism: number): void {
  graph.assertOpen();
  if (typeof parallelism !== 'number') {
    throw new JobGraphError('INVALID_ARGUMENT', `setParallelism() of operator '${operator.name}' needs a number, got ${typeof parallelism}`);
  }
  operator.parallelism = parallelism;
}

/** Refuses a user function that is not callable (a JS caller passing the wrong thing). */
export function requireFunction(value: unknown, call: string): void {
  if (typeof value !== 'function') {
    throw new JobGraphError('INVALID_ARGUMENT', `${call} needs a function, got ${value === null ? 'null' : typeof value}`);
  }
}

export function requireNonEmptyString(value: unknown, call: string, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new JobGraphError('INVALID_ARGUMENT', `${call} needs a non-empty ${what}, got ${JSON.stringify(value)}`);
  }
}
