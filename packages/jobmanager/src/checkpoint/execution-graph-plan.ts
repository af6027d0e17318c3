/**
 * Builds the checkpoint plan of a job from its execution graph: every
 * execution must be RUNNING (Flink's NOT_ALL_REQUIRED_TASKS_RUNNING
 * otherwise); a keyed vertex's head operator carries its key-group table.
 */
import type { AssignmentTable } from '@rivulet/common';
import type { ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { CheckpointPlanOutcome, OperatorToSnapshot, TaskToAcknowledge } from './checkpoint-plan.js';

/**
 * @param tables key-group tables by vertex id (what the scheduler deployed with)
 * @param maxParallelism the job's number of key groups
 */
export function checkpointPlanOf(
  graph: ExecutionGraph,
  tables: ReadonlyMap<string, AssignmentTable>,
  maxParallelism: number,
): CheckpointPlanOutcome {
  const notRunning = graph.executions.find((e) => e.state !== 'RUNNING');
  if (notRunning) {
    const { vertex, subtaskIndex, state } = notRunning;
    return { kind: 'not-ready', reason: `task ${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism}) is ${state}` };
  }
  const operators: OperatorToSnapshot[] = graph.vertices.vertices.flatMap((vertex) =>
    vertex.operatorIds.map((operatorId, i) => ({
      operatorId,
      parallelism: vertex.parallelism,
      keyGroupAssignment: i === 0 && vertex.keyed ? tables.get(vertex.id) : undefined,
    })),
  );
  const tasks: TaskToAcknowledge[] = graph.executions.map((e) => ({
    executionAttemptId: e.attemptId,
    taskName: `${e.vertex.name} (${e.subtaskIndex + 1}/${e.vertex.parallelism})`,
    subtaskIndex: e.subtaskIndex,
    operatorIds: e.vertex.operatorIds,
  }));
  return { kind: 'ready', plan: { maxParallelism, operators, tasks } };
}
