import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  JobGraphError,
  validateJobGraph,
  type JobBuildFunction,
  type JobGraph,
  type JobGraphErrorCode,
  type OperatorNode,
  type StreamExecutionEnvironment,
} from '../src/index.js';

function compileError(build: JobBuildFunction, defaultParallelism = 2): JobGraphError {
  return errorOf(() => defineJob(build).compile({ defaultParallelism }));
}

function errorOf(action: () => unknown): JobGraphError {
  try {
    action();
  } catch (err) {
    assert.ok(err instanceof JobGraphError, `expected a JobGraphError, got ${String(err)}`);
    assert.equal(err.name, 'JobGraphError');
    return err;
  }
  assert.fail('expected an error');
}

function assertError(err: JobGraphError, code: JobGraphErrorCode, message: string, operatorId?: string): void {
  assert.equal(err.message, message);
  assert.equal(err.code, code);
  assert.equal(err.operatorId, operatorId);
}

describe('parallelism', () => {
  test('an operator parallelism below 1', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).map((n) => n).setParallelism(0).print());
    assertError(err, 'INVALID_PARALLELISM', "operator 'Map' (map-user-1) has parallelism 0; it must be a positive integer", 'map-user-1');
  });

  test('a fractional parallelism', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).print().setParallelism(1.5));
    assertError(err, 'INVALID_PARALLELISM', "operator 'Sink: Print' (sink-print-1) has parallelism 1.5; it must be a positive integer", 'sink-print-1');
  });

  test('an operator parallelism above maxParallelism', () => {
    const err = compileError((env) => {
      env.setMaxParallelism(4);
      env.fromSequence(1, 2).uid('numbers').setParallelism(5).print();
    });
    assertError(err, 'INVALID_PARALLELISM', "operator 'Source: Sequence' (numbers) has parallelism 5, above the job's maxParallelism 4", 'numbers');
  });

  test('a keyed operator with more subtasks than key groups', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).keyBy((n) => n).sum().setParallelism(200).print().setParallelism(1));
    assertError(
      err,
      'INVALID_PARALLELISM',
      "keyed operator 'Keyed Sum' (reduce-sum-1) has parallelism 200 but the job has only 128 key groups (maxParallelism); raise maxParallelism or lower the parallelism",
      'reduce-sum-1',
    );
  });

  test('a default parallelism above maxParallelism names the first operator using it', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).setParallelism(1).print(), 129);
    assertError(err, 'INVALID_PARALLELISM', "operator 'Sink: Print' (sink-print-1) has parallelism 129 (the job default), above the job's maxParallelism 128", 'sink-print-1');
  });

  test('env.setParallelism below 1', () => {
    const err = compileError((env) => {
      env.setParallelism(0);
      env.fromSequence(1, 2).print();
    });
    assertError(err, 'INVALID_PARALLELISM', 'the default parallelism 0 must be a positive integer');
  });

  test('env.setMaxParallelism out of 1..32768 fails at the call', () => {
    for (const bad of [0, 32769, 2.5]) {
      const err = compileError((env) => void env.setMaxParallelism(bad));
      assertError(err, 'INVALID_PARALLELISM', `setMaxParallelism(${bad}): maxParallelism must be an integer from 1 to 32768`);
    }
  });

  test('compile options are checked', () => {
    const job = defineJob((env) => void env.fromSequence(1, 2).print());
    assertError(errorOf(() => job.compile({ defaultParallelism: 0 })), 'INVALID_PARALLELISM', 'compile option defaultParallelism must be a positive integer, got 0');
    assertError(
      errorOf(() => job.compile({ defaultParallelism: 1, maxParallelism: 40000 })),
      'INVALID_PARALLELISM',
      'compile option maxParallelism must be an integer from 1 to 32768, got 40000',
    );
  });

  test('fromElements cannot run in parallel', () => {
    const err = compileError((env) => void env.fromElements(1, 2, 3).setParallelism(2).print());
    assertError(err, 'INVALID_PARALLELISM', "source operator 'Source: Elements' (source-elements-0) is not parallel ('elements'): its parallelism must be 1, got 2", 'source-elements-0');
  });
});

describe('graph shape', () => {
  test('an empty job', () => {
    assertError(compileError(() => {}), 'EMPTY_JOB', 'the job is empty: its build function defined no operators');
  });

  test('a job without a sink', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).map((n) => n + 1));
    assertError(err, 'NO_SINK', 'the job has no sink: end each pipeline with print(), writeAsText(), collect() or addSink()');
  });

  test('a uid given twice', () => {
    const err = compileError((env) => {
      const numbers = env.fromSequence(1, 2).uid('step');
      numbers.map((n) => n).uid('step').print();
    });
    assertError(err, 'DUPLICATE_UID', "uid 'step' is given to two operators, 'Source: Sequence' and 'Map'; uids must be unique in a job", 'step');
  });

  test('a uid equal to a derived id', () => {
    const err = compileError((env) => void env.fromSequence(1, 2).uid('sink-print-1').print());
    assertError(err, 'DUPLICATE_UID', "uid 'sink-print-1' of operator 'Source: Sequence' equals the derived id of operator 'Sink: Print'; choose another uid", 'sink-print-1');
  });

  test('two collect() sinks with the same name', () => {
    const err = compileError((env) => {
      const numbers = env.fromSequence(1, 2);
      numbers.collect('out');
      numbers.map((n) => n).collect('out');
    });
    assertError(err, 'DUPLICATE_COLLECT_NAME', "collect('out') is used by more than one sink; give each collect() its own name", 'sink-collect-3');
  });
});

describe('validateJobGraph on graphs the API cannot build', () => {
  const node = (id: string, kind: OperatorNode['kind'], extra: Partial<OperatorNode> = {}): OperatorNode => ({
    id, hasUserUid: false, name: id, kind, variant: 'v', parallelism: null, keyed: false, params: {}, ...extra,
  });
  const graph = (operators: OperatorNode[], edges: JobGraph['edges']): JobGraph => ({
    version: 1, name: 'hand-made', defaultParallelism: 2, maxParallelism: 128, operators, edges, args: [],
  });

  test('a graph of another version', () => {
    const future = { ...graph([node('a', 'source'), node('s', 'sink')], [{ source: 'a', target: 's', partitioning: 'forward' }]), version: 2 };
    const err = errorOf(() => validateJobGraph(future as unknown as JobGraph));
    assertError(err, 'UNSUPPORTED_VERSION', 'job graph version 2 is not supported (expected 1)');
  });

  test('a hand-made valid graph passes', () => {
    validateJobGraph(graph([node('a', 'source'), node('s', 'sink')], [{ source: 'a', target: 's', partitioning: 'forward' }]));
  });

  test('forward between different parallelisms', () => {
    const err = errorOf(() =>
      validateJobGraph(graph([node('a', 'source'), node('b', 'sink', { parallelism: 3 })], [{ source: 'a', target: 'b', partitioning: 'forward' }])),
    );
    assertError(err, 'INVALID_EDGE', "the forward edge from operator 'a' (a) (parallelism 2) to operator 'b' (b) (parallelism 3) needs equal parallelism", 'b');
  });

  test('a sink with an outgoing edge', () => {
    const err = errorOf(() =>
      validateJobGraph(graph([node('a', 'source'), node('s', 'sink'), node('m', 'map')], [
        { source: 'a', target: 's', partitioning: 'forward' },
        { source: 's', target: 'm', partitioning: 'forward' },
      ])),
    );
    assertError(err, 'INVALID_EDGE', "sink operator 's' (s) has an outgoing edge (to operator 'm' (m)); a sink emits nothing", 's');
  });

  test('hash into a non-keyed operator, and a keyed operator fed without hash', () => {
    const hashIntoMap = errorOf(() =>
      validateJobGraph(graph([node('a', 'source'), node('s', 'sink')], [{ source: 'a', target: 's', partitioning: 'hash' }])),
    );
    assertError(hashIntoMap, 'INVALID_EDGE', "operator 's' (s) has a 'hash' input but is not keyed", 's');
    const keyedWithoutHash = errorOf(() =>
      validateJobGraph(graph([node('a', 'source'), node('r', 'reduce', { keyed: true }), node('s', 'sink')], [
        { source: 'a', target: 'r', partitioning: 'rebalance' },
        { source: 'r', target: 's', partitioning: 'forward' },
      ])),
    );
    assertError(keyedWithoutHash, 'INVALID_EDGE', "keyed operator 'r' (r) has a 'rebalance' input; a keyed operator's inputs must be 'hash' (keyBy)", 'r');
  });

  test('an edge to an unknown operator, against the order, or an operator without input', () => {
    assertError(
      errorOf(() => validateJobGraph(graph([node('a', 'source'), node('s', 'sink')], [{ source: 'a', target: 'x', partitioning: 'forward' }]))),
      'INVALID_EDGE', 'the edge a -> x names an unknown operator', 'x',
    );
    assertError(
      errorOf(() => validateJobGraph(graph([node('s', 'sink'), node('a', 'source')], [{ source: 'a', target: 's', partitioning: 'forward' }]))),
      'INVALID_EDGE', "the edge from operator 'a' (a) to operator 's' (s) goes against the operators' order (a cycle?)", 's',
    );
    assertError(
      errorOf(() => validateJobGraph(graph([node('a', 'source'), node('s', 'sink')], []))),
      'INVALID_EDGE', "operator 's' (s) has no input", 's',
    );
  });
});

describe('misuse of the API', () => {
  test('bad arguments fail at the call', () => {
    const cases: [JobBuildFunction, string][] = [
      [(env) => void env.fromSequence(5, 1), 'fromSequence(5, 1) needs safe integers with from <= to'],
      [(env) => void env.fromSequence(0, 1.5), 'fromSequence(0, 1.5) needs safe integers with from <= to'],
      [(env) => void env.readTextFile(''), 'readTextFile() needs a non-empty path, got ""'],
      [(env) => void env.fromSequence(1, 2).map(42 as never), 'map() needs a function or an object with a map() method, got number'],
      [(env) => void env.fromSequence(1, 2).filter({ map: () => true } as never), 'filter() was given an object without a filter() method (it has none)'],
      [(env) => void env.fromSequence(1, 2).flatMap({ flatMap: () => [], snapshotState: 1 } as never), "flatMap(): the function object's snapshotState must be a method, got number"],
      [(env) => void env.fromSequence(1, 2).uid(' '), `uid() of operator 'Source: Sequence' needs a non-empty string, got " "`],
      [(env) => void env.fromSequence(1, 2).collect(''), 'collect() needs a non-empty name, got ""'],
      [(env) => void env.fromSequence(1, 2).addSink({} as never), "addSink() (the sink's invoke) needs a function, got undefined"],
      [(env) => void env.fromElements({ n: 1 }).keyBy((r) => r.n).sum('' as never), 'sum(field) needs a non-empty field name, got ""'],
    ];
    for (const [build, message] of cases) assertError(compileError(build), 'INVALID_ARGUMENT', message);
  });

  test('an async build function is refused', () => {
    const err = compileError((async (env: StreamExecutionEnvironment) => void env.fromSequence(1, 2).print()) as JobBuildFunction);
    assertError(err, 'ILLEGAL_BUILD', 'the build function passed to defineJob returned a promise; it must build the graph synchronously');
  });

  test('the environment and streams refuse changes after the build function returned', () => {
    let saved: StreamExecutionEnvironment | undefined;
    let savedStream: ReturnType<StreamExecutionEnvironment['fromSequence']> | undefined;
    defineJob((env) => {
      saved = env;
      savedStream = env.fromSequence(1, 2);
      savedStream.print();
    }).compile({ defaultParallelism: 1 });
    const message = 'the job graph was changed after the build function returned; build the whole graph synchronously inside defineJob(...)';
    assertError(errorOf(() => saved?.fromSequence(1, 2)), 'ILLEGAL_BUILD', message);
    assertError(errorOf(() => saved?.setParallelism(3)), 'ILLEGAL_BUILD', message);
    assertError(errorOf(() => savedStream?.map((n) => n)), 'ILLEGAL_BUILD', message);
    assertError(errorOf(() => savedStream?.uid('late')), 'ILLEGAL_BUILD', message);
  });

  test('an error thrown by the build function reaches the caller unchanged', () => {
    const cause = new Error('boom');
    assert.throws(() => defineJob(() => { throw cause; }).compile({ defaultParallelism: 1 }), (err) => err === cause);
  });
});
