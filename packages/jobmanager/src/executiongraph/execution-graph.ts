import {
  isTerminalExecutionState,
  newExecutionAttemptId,
  type ExecutionAttemptId,
  type ExecutionState,
} from '@rivulet/common';
import type { JobVertex, VertexGraph } from '../jobgraph/job-vertices.js';

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
  readonly attemptId: ExecutionAttemptId;
  state: ExecutionState;
  slot: SlotLocation | undefined;
  failure: string | undefined;
  /** What the subtask's collect sinks gathered, once FINISHED. */
  result: Record<string, unknown[]> | undefined;
  readonly stateTimestamps: Partial<Record<ExecutionState, number>>;
}

/**
 * The executions of one job attempt: one per subtask of every vertex.
 * Invariant: an execution's state only moves forward; a terminal state is final.
 */
export class ExecutionGraph {
  readonly executions: readonly Execution[];
  private readonly byAttempt = new Map<string, Execution>();

  constructor(
    readonly vertices: VertexGraph,
    readonly attempt: number,
    private readonly now: () => number = Date.now,
  ) {
    const executions: Execution[] = [];
    for (const vertex of vertices.vertices) {
      for (let subtaskIndex = 0; subtaskIndex < vertex.parallelism; subtaskIndex++) {
        const execution: Execution = {
          vertex,
          subtaskIndex,
          attemptId: newExecutionAttemptId(),
          state: 'CREATED',
          slot: undefined,
          failure: undefined,
          result: undefined,
          stateTimestamps: { CREATED: now() },
        };
        executions.push(execution);
        this.byAttempt.set(execution.attemptId, execution);
      }
    }
    this.executions = executions;
  }

  get(attemptId: string): Execution | undefined {
    return this.byAttempt.get(attemptId);
  }

  executionOf(vertexId: string, subtaskIndex: number): Execution | undefined {
    return this.executions.find((e) => e.vertex.id === vertexId && e.subtaskIndex === subtaskIndex);
  }

  /** Moves an execution to `state`; false (no change) when it is already terminal. */
  transition(execution: Execution, state: ExecutionState, failure?: string): boolean {
    if (isTerminalExecutionState(execution.state) || execution.state === state) return false;
    execution.state = state;
    execution.stateTimestamps[state] = this.now();
    if (failure !== undefined) execution.failure = failure;
    return true;
  }

  allIn(states: readonly ExecutionState[]): boolean {
    return this.executions.every((e) => states.includes(e.state));
  }

  countByState(vertexId?: string): Record<ExecutionState, number> {
    const counts = {
      CREATED: 0, SCHEDULED: 0, DEPLOYING: 0, INITIALIZING: 0, RUNNING: 0,
      FINISHED: 0, CANCELING: 0, CANCELED: 0, FAILED: 0,
    } satisfies Record<ExecutionState, number>;
    for (const e of this.executions) if (vertexId === undefined || e.vertex.id === vertexId) counts[e.state] += 1;
    return counts;
  }

  /** Slots needed with slot sharing: one slot runs one subtask of every vertex. */
  get requiredSlots(): number {
    return Math.max(...this.vertices.vertices.map((v) => v.parallelism));
  }
}
