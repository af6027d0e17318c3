import type { OperatorFunctions } from '../functions.js';
import type { OperatorSpec, RecordedInput, RecordingGraph } from '../graph/recording-graph.js';
import { SingleOutputStreamOperator } from './data-stream.js';

/** What a two-input operator's recording needs besides its edges. */
export type TwoInputTemplate = Omit<OperatorSpec, 'inputs' | 'keyed' | 'functions'>;

/**
 * Records an operator with two inputs: `first`'s edges feed input 1,
 * `second`'s input 2 (marked `input: 2` in the graph, Flink's typeNumber).
 */
export function addTwoInputOperator<R>(
  graph: RecordingGraph,
  template: TwoInputTemplate,
  first: readonly RecordedInput[],
  second: readonly RecordedInput[],
  keyed: boolean,
  functions: OperatorFunctions,
): SingleOutputStreamOperator<R> {
  const inputs = [...first.map(({ input: _, ...edge }) => edge), ...second.map((edge) => ({ ...edge, input: 2 as const }))];
  const operator = graph.add({ ...template, keyed, functions, inputs });
  return new SingleOutputStreamOperator<R>(graph, operator);
}
