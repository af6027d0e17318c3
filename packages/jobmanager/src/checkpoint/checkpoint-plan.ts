/**
 * What one checkpoint covers, fixed when it is triggered: the operators whose
 * state it holds and the running tasks (execution attempts) that must
 * acknowledge it. The JobMaster supplies it (see execution-graph-plan.ts);
 * acknowledgements from attempts outside the plan are ignored.
 *
 * Invariant (checkPlan): every subtask of every operator is covered by
 * exactly one task, so a fully acknowledged checkpoint has the state of all of
 * them; attempt ids are unique.
 */
import type { AssignmentTable } from '@rivulet/common';

export interface OperatorToSnapshot {
  readonly operatorId: string;
  readonly parallelism: number;
  /** The assignment in force for a keyed operator (members "0".."p-1"); absent when not keyed. */
  readonly keyGroupAssignment?: AssignmentTable | undefined;
}

export interface TaskToAcknowledge {
  readonly executionAttemptId: string;
  /** For messages: `Window -> Sink (2/4)`. */
  readonly taskName: string;
  readonly subtaskIndex: number;
  /** The operators of the task's chain, head first. */
  readonly operatorIds: readonly string[];
}

export interface CheckpointPlan {
  readonly maxParallelism: number;
  readonly operators: readonly OperatorToSnapshot[];
  readonly tasks: readonly TaskToAcknowledge[];
}

/** What the JobMaster answers when a checkpoint is about to be triggered. */
export type CheckpointPlanOutcome =
  | { readonly kind: 'ready'; readonly plan: CheckpointPlan }
  /** Not every task is running (deploying, finished, failing): `reason` says which and why. */
  | { readonly kind: 'not-ready'; readonly reason: string };

/** The first way `plan` breaks the invariant, or undefined. */
export function checkPlan(plan: CheckpointPlan): string | undefined {
  const operators = new Map(plan.operators.map((op) => [op.operatorId, op] as const));
  if (operators.size !== plan.operators.length) return 'an operator appears twice';
  if (plan.tasks.length === 0) return 'no task to acknowledge';
  const covered = new Map<string, Set<number>>();
  const attempts = new Set<string>();
  for (const task of plan.tasks) {
    if (attempts.has(task.executionAttemptId)) return `attempt ${task.executionAttemptId} appears twice`;
    attempts.add(task.executionAttemptId);
    for (const operatorId of task.operatorIds) {
      const operator = operators.get(operatorId);
      if (!operator) return `task ${task.taskName} runs operator ${JSON.stringify(operatorId)}, which is not in the plan`;
      if (task.subtaskIndex < 0 || task.subtaskIndex >= operator.parallelism) {
        return `task ${task.taskName} is subtask ${task.subtaskIndex} of ${JSON.stringify(operatorId)}, which has parallelism ${operator.parallelism}`;
      }
      const seen = covered.get(operatorId) ?? new Set<number>();
      if (seen.has(task.subtaskIndex)) return `subtask ${task.subtaskIndex} of ${JSON.stringify(operatorId)} is run by two tasks`;
      seen.add(task.subtaskIndex);
      covered.set(operatorId, seen);
    }
  }
  for (const operator of plan.operators) {
    const n = covered.get(operator.operatorId)?.size ?? 0;
    if (n !== operator.parallelism) return `only ${n} of ${operator.parallelism} subtasks of ${JSON.stringify(operator.operatorId)} are in a task`;
    if (operator.keyGroupAssignment !== undefined && operator.keyGroupAssignment.numberOfKeyGroups !== plan.maxParallelism) {
      return `the key-group table of ${JSON.stringify(operator.operatorId)} has ${operator.keyGroupAssignment.numberOfKeyGroups} groups, maxParallelism is ${plan.maxParallelism}`;
    }
  }
  return undefined;
}
