import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionGraph } from '../../src/executiongraph/execution-graph.js';

function twoVertexGraph(parallelism: number): ExecutionGraph {
  return new ExecutionGraph({
    vertices: [
      { id: 'source', name: 'Source', operatorIds: ['source'], parallelism, keyed: false, isSource: true },
      { id: 'map', name: 'Map -> Sink', operatorIds: ['map', 'sink'], parallelism, keyed: false, isSource: false },
    ],
    edges: [{ source: 'source', target: 'map', targetOperatorId: 'map', partitioning: 'rescale' }],
  });
}

test('a report of an earlier starting state than the execution is in is stale: RUNNING stays RUNNING', () => {
  const graph = twoVertexGraph(1);
  const execution = graph.executions[0]!;
  assert.equal(graph.transition(execution, 'DEPLOYING'), true);
  assert.equal(graph.transition(execution, 'RUNNING'), true);
  // INITIALIZING sent before RUNNING, retried, arrives after it.
  assert.equal(graph.transition(execution, 'INITIALIZING'), false);
  assert.equal(execution.state, 'RUNNING');
  assert.equal(graph.transition(execution, 'DEPLOYING'), false);
  assert.equal(execution.state, 'RUNNING');
  // Forward and terminal moves still happen.
  assert.equal(graph.transition(execution, 'CANCELING'), true);
  assert.equal(graph.transition(execution, 'CANCELED'), true);
  assert.equal(graph.transition(execution, 'RUNNING'), false, 'a terminal state is final');
});

test('counts by state and allIn follow transitions, restarts and adoption', () => {
  const graph = twoVertexGraph(3);
  assert.deepEqual(graph.countByState().CREATED, 6);
  assert.equal(graph.allIn(['CREATED']), true);
  for (const e of graph.executions) graph.transition(e, 'RUNNING');
  assert.equal(graph.allIn(['RUNNING']), true);
  const [first, second] = graph.executions;
  graph.transition(first!, 'FAILED');
  graph.transition(second!, 'CANCELED');
  assert.equal(graph.allIn(['RUNNING']), false);
  assert.equal(graph.allIn(['RUNNING', 'FAILED', 'CANCELED']), true);
  const fresh = graph.restart([{ vertexId: first!.vertex.id, subtaskIndex: first!.subtaskIndex }, { vertexId: second!.vertex.id, subtaskIndex: second!.subtaskIndex }]);
  assert.equal(fresh.length, 2);
  assert.equal(graph.executionOf(first!.vertex.id, first!.subtaskIndex), fresh[0]);
  // A late report of the replaced attempt changes neither it nor the counts.
  graph.transition(first!, 'RUNNING');
  const counts = graph.countByState();
  assert.equal(counts.CREATED, 2);
  assert.equal(counts.RUNNING, 4);
  assert.equal(counts.FAILED + counts.CANCELED, 0, 'replaced attempts are not current executions');
  const adopted = graph.adopt(fresh[0]!, 'adopted-attempt', 5, 'RUNNING');
  assert.equal(graph.get('adopted-attempt'), adopted);
  assert.equal(graph.countByState().RUNNING, 5);
  for (const e of graph.executions) graph.transition(e, 'RUNNING');
  assert.equal(graph.allIn(['RUNNING']), true);
  assert.deepEqual(graph.countByState('source'), { CREATED: 0, SCHEDULED: 0, DEPLOYING: 0, INITIALIZING: 0, RUNNING: 3, FINISHED: 0, CANCELING: 0, CANCELED: 0, FAILED: 0 });
});
