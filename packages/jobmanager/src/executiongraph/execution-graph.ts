import {
  isTerminalExecutionState,
  newExecutionAttemptId,
  type ExecutionAttemptId,
  type ExecutionState,
} from '@rivulet/common';
import type { JobVertex, VertexGraph } from '../jobgraph/job-vertices.js';

/**
 * The order an execution goes through while it starts: a report of an earlier
 * one than the execution is in is stale (two reports of one task can arrive
 * out of order: each is its own call, retried on its own) and changes nothing.
 */
const STARTING_ORDER: Partial<Record<ExecutionState, number>> = { CREATED: 0, SCHEDULED: 1, DEPLOYING: 2, INITIALIZING: 3, RUNNING: 4 };

function emptyCounts(): Record<ExecutionState, number> {
  return { CREATED: 0, SCHEDULED: 0, DEPLOYING: 0, INITIALIZING: 0, RUNNING: 0, FINISHED: 0, CANCELING: 0, CANCELED: 0, FAILED: 0 };
}

/** Where a subtask runs: a slot of a registered TaskManager. */
export interface SlotLocation {
  readonly resourceId: string;
  readonly registrationId: string;
  readonly slotIndex: number;
  readonly allocationId: string;
  readonly rpcAddress: string;
  readonly dataHost: string;
  readonly dataPort: number;
}

/** One execution attempt of one subtask of a vertex. */
export interface Execution {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  /** 0 for the first deployment of the subtask, +1 for every restart of it. */
  readonly attemptNumber: number;
  readonly attemptId: ExecutionAttemptId;
  state: ExecutionState;
  slot: SlotLocation | undefined;
  failure: string | undefined;
  /** What the subtask's collect sinks gathered, once FINISHED. */
  result: Record<string, unknown[]> | undefined;
  readonly stateTimestamps: Partial<Record<ExecutionState, number>>;
}

/**
 * The current execution of every subtask of every vertex.
 * Invariants: an execution's state only moves forward (a stale report of an
 * earlier starting state is ignored) and a terminal state is final;
 * `counts` holds how many current executions are in each state (so "all
 * RUNNING" is O(1) per report, not a scan of 10,000 subtasks); a restart replaces a subtask's execution by a new attempt (new
 * attempt id, attempt number + 1), after which the old attempt id is unknown
 * here, so late reports of the old attempt are ignored.
 */
export class ExecutionGraph {
  private readonly current: Execution[] = [];
  private readonly byAttempt = new Map<string, Execution>();
  private readonly counts = emptyCounts();
  /** Index of each subtask's execution in `current`, by `vertexId#subtaskIndex`. */
  private readonly positions = new Map<string, number>();

  private vertexGraph: VertexGraph;

  constructor(
    vertices: VertexGraph,
    private readonly now: () => number = Date.now,
  ) {
    this.vertexGraph = vertices;
    this.createExecutions(0);
  }

  /** The vertices and edges; they change only by `rescale`. */
  get vertices(): VertexGraph {
    return this.vertexGraph;
  }

  /**
   * Replaces the whole graph by `vertices` (the same job at other
   * parallelisms, reactive mode): every execution is replaced by a new
   * attempt numbered above every attempt before. The old attempts must be terminal.
   */
  rescale(vertices: VertexGraph): Execution[] {
    const busy = this.current.find((e) => !isTerminalExecutionState(e.state));
    if (busy) throw new Error(`subtask ${busy.vertex.id}[${busy.subtaskIndex}] is ${busy.state}: only a terminal graph can be rescaled`);
    const next = Math.max(...this.current.map((e) => e.attemptNumber)) + 1;
    this.current.length = 0;
    this.byAttempt.clear();
    this.positions.clear();
    Object.assign(this.counts, emptyCounts());
    this.vertexGraph = vertices;
    this.createExecutions(next);
    return this.current;
  }

  /**
   * Takes over a running attempt a TaskManager reported (a new leader after
   * a JobManager failover): the subtask's execution becomes that attempt, in
   * `state`. Only an execution never deployed by this JobManager (CREATED)
   * can be replaced so.
   */
  adopt(execution: Execution, attemptId: string, attemptNumber: number, state: ExecutionState): Execution {
    const index = this.current.indexOf(execution);
    if (index < 0 || execution.state !== 'CREATED') {
      throw new Error(`subtask ${execution.vertex.id}[${execution.subtaskIndex}] cannot adopt attempt ${attemptId}: it is ${execution.state}`);
    }
    const adopted: Execution = {
      ...this.newExecution(execution.vertex, execution.subtaskIndex, attemptNumber),
      attemptId: attemptId as ExecutionAttemptId,
      state,
      stateTimestamps: { [state]: this.now() },
    };
    this.byAttempt.delete(execution.attemptId);
    this.byAttempt.set(attemptId, adopted);
    this.current[index] = adopted;
    this.counts[execution.state] -= 1;
    this.counts[state] += 1;
    return adopted;
  }

  private createExecutions(attemptNumber: number): void {
    for (const vertex of this.vertexGraph.vertices) {
      for (let subtaskIndex = 0; subtaskIndex < vertex.parallelism; subtaskIndex++) {
        const execution = this.newExecution(vertex, subtaskIndex, attemptNumber);
        this.positions.set(`${vertex.id}#${subtaskIndex}`, this.current.length);
        this.current.push(execution);
        this.byAttempt.set(execution.attemptId, execution);
        this.counts.CREATED += 1;
      }
    }
  }

  get executions(): readonly Execution[] {
    return this.current;
  }

  get(attemptId: string): Execution | undefined {
    return this.byAttempt.get(attemptId);
  }

  /**
   * Replaces the executions of `subtasks` by new attempts in state CREATED,
   * without slots; returns them. The old attempts must be terminal.
   */
  restart(subtasks: Iterable<{ readonly vertexId: string; readonly subtaskIndex: number }>): Execution[] {
    const fresh: Execution[] = [];
    for (const { vertexId, subtaskIndex } of subtasks) {
      const index = this.positions.get(`${vertexId}#${subtaskIndex}`) ?? -1;
      const old = this.current[index];
      if (old === undefined) throw new RangeError(`no subtask ${vertexId}[${subtaskIndex}]`);
      if (!isTerminalExecutionState(old.state)) {
        throw new Error(`subtask ${vertexId}[${subtaskIndex}] is ${old.state}: only a terminal attempt can be replaced`);
      }
      const execution = this.newExecution(old.vertex, subtaskIndex, old.attemptNumber + 1);
      this.byAttempt.delete(old.attemptId);
      this.byAttempt.set(execution.attemptId, execution);
      this.current[index] = execution;
      this.counts[old.state] -= 1;
      this.counts.CREATED += 1;
      fresh.push(execution);
    }
    return fresh;
  }

  private newExecution(vertex: JobVertex, subtaskIndex: number, attemptNumber: number): Execution {
    return {
      vertex,
      subtaskIndex,
      attemptNumber,
      attemptId: newExecutionAttemptId(),
      state: 'CREATED',
      slot: undefined,
      failure: undefined,
      result: undefined,
      stateTimestamps: { CREATED: this.now() },
    };
  }

  executionOf(vertexId: string, subtaskIndex: number): Execution | undefined {
    const index = this.positions.get(`${vertexId}#${subtaskIndex}`);
    return index === undefined ? undefined : this.current[index];
  }

  /** Moves an execution to `state`; false (no change) when it is already terminal. */
  transition(execution: Execution, state: ExecutionState, failure?: string): boolean {
    if (isTerminalExecutionState(execution.state) || execution.state === state) return false;
    const from = STARTING_ORDER[execution.state];
    const to = STARTING_ORDER[state];
    if (from !== undefined && to !== undefined && to < from) return false;
    if (this.byAttempt.get(execution.attemptId) === execution) {
      this.counts[execution.state] -= 1;
      this.counts[state] += 1;
    }
    execution.state = state;
    execution.stateTimestamps[state] = this.now();
    if (failure !== undefined) execution.failure = failure;
    return true;
  }

  allIn(states: readonly ExecutionState[]): boolean {
    let total = 0;
    for (const state of new Set(states)) total += this.counts[state];
    return total === this.current.length;
  }

  countByState(vertexId?: string): Record<ExecutionState, number> {
    if (vertexId === undefined) return { ...this.counts };
    const counts = emptyCounts();
    for (const e of this.executions) if (e.vertex.id === vertexId) counts[e.state] += 1;
    return counts;
  }

  /** Slots needed with slot sharing: one slot runs one subtask of every vertex. */
  get requiredSlots(): number {
    return Math.max(...this.vertices.vertices.map((v) => v.parallelism));
  }
}
