import type { RecordedOperator, RecordingGraph } from '../graph/recording-graph.js';
import { setOperatorName, setOperatorParallelism, setOperatorUid } from './operator-settings.js';

/**
 * The end of a pipeline (Flink's DataStreamSink): a sink takes records and
 * emits none, so it offers only the operator settings, each returning the
 * sink for chaining. T is the type of the records it takes.
 */
export class DataStreamSink<T> {
  readonly #graph: RecordingGraph;
  readonly #operator: RecordedOperator;
  /** Phantom member: keeps T part of the type, so sinks of different record types differ. */
  declare readonly recordType?: T;

  /** @internal Created by DataStream's sink methods; not for job code. */
  constructor(graph: RecordingGraph, operator: RecordedOperator) {
    this.#graph = graph;
    this.#operator = operator;
  }

  /** Stable id of this sink (state and checkpoints are matched by it); unique in the job. */
  uid(uid: string): this {
    setOperatorUid(this.#graph, this.#operator, uid);
    return this;
  }

  /** Display name in logs, REST and the CLI. */
  name(name: string): this {
    setOperatorName(this.#graph, this.#operator, name);
    return this;
  }

  /** Number of parallel subtasks; without it, the job's default parallelism. */
  setParallelism(parallelism: number): this {
    setOperatorParallelism(this.#graph, this.#operator, parallelism);
    return this;
  }
}
