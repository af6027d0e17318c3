import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, type JobDefinition, type JobGraph, type StreamEdge } from '../src/index.js';

/** The word count of the user guide. */
const wordCount = defineJob(
  (env) => {
    env
      .readTextFile('/data/input.txt')
      .flatMap((line) => line.toLowerCase().split(/\W+/).filter((word) => word.length > 0))
      .map((word) => ({ word, count: 1 }))
      .keyBy((pair) => pair.word)
      .sum('count')
      .writeAsText('/data/counts');
  },
  { name: 'word-count' },
);

function edge(graph: JobGraph, target: string): StreamEdge {
  const found = graph.edges.find((e) => e.target === target);
  assert.ok(found, `no edge into ${target}`);
  return found;
}

function graphOf(job: JobDefinition, defaultParallelism = 2): JobGraph {
  return job.compile({ defaultParallelism }).graph;
}

describe('word count graph', () => {
  const { graph } = wordCount.compile({ defaultParallelism: 4 });

  test('job settings', () => {
    assert.equal(graph.version, 1);
    assert.equal(graph.name, 'word-count');
    assert.equal(graph.defaultParallelism, 4);
    assert.equal(graph.maxParallelism, 128);
  });

  test('operators in creation order, with derived ids, kinds, variants and params', () => {
    assert.deepEqual(graph.operators, [
      { id: 'source-textFile-0', hasUserUid: false, name: 'Source: Text File', kind: 'source', variant: 'textFile', parallelism: null, keyed: false, params: { path: '/data/input.txt' } },
      { id: 'flatMap-user-1', hasUserUid: false, name: 'Flat Map', kind: 'flatMap', variant: 'user', parallelism: null, keyed: false, params: {} },
      { id: 'map-user-2', hasUserUid: false, name: 'Map', kind: 'map', variant: 'user', parallelism: null, keyed: false, params: {} },
      { id: 'reduce-sum-3', hasUserUid: false, name: 'Keyed Sum', kind: 'reduce', variant: 'sum', parallelism: null, keyed: true, params: { field: 'count' } },
      { id: 'sink-file-4', hasUserUid: false, name: 'Sink: Text File', kind: 'sink', variant: 'file', parallelism: null, keyed: false, params: { dir: '/data/counts' } },
    ]);
  });

  test('edges: forward between equal parallelism, hash after keyBy', () => {
    assert.deepEqual(graph.edges, [
      { source: 'source-textFile-0', target: 'flatMap-user-1', partitioning: 'forward' },
      { source: 'flatMap-user-1', target: 'map-user-2', partitioning: 'forward' },
      { source: 'map-user-2', target: 'reduce-sum-3', partitioning: 'hash' },
      { source: 'reduce-sum-3', target: 'sink-file-4', partitioning: 'forward' },
    ]);
  });

  test('the graph is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
  });
});

describe('determinism', () => {
  test('compiling twice gives deep-equal graphs and fresh functions', () => {
    const first = wordCount.compile({ defaultParallelism: 3 });
    const second = wordCount.compile({ defaultParallelism: 3 });
    assert.deepEqual(second.graph, first.graph);
    assert.deepEqual([...second.functions.keys()], [...first.functions.keys()]);
    assert.deepEqual([...first.functions.keys()], first.graph.operators.map((o) => o.id));
    const flatMapFn = (compiled: typeof first) => {
      const functions = compiled.functions.get('flatMap-user-1');
      assert.equal(functions?.kind, 'flatMap');
      return functions.fn;
    };
    assert.notEqual(flatMapFn(second), flatMapFn(first), 'each compile runs the build function again');
  });

  test('a uid does not shift the derived ids of the other operators', () => {
    const job = (withUid: boolean) =>
      defineJob((env) => {
        const doubled = env.fromSequence(1, 10).map((n) => n * 2);
        if (withUid) doubled.uid('doubler');
        doubled.print();
      });
    assert.deepEqual(graphOf(job(false)).operators.map((o) => o.id), ['source-sequence-0', 'map-user-1', 'sink-print-2']);
    assert.deepEqual(graphOf(job(true)).operators.map((o) => o.id), ['source-sequence-0', 'doubler', 'sink-print-2']);
  });

  test('the job name falls back to defaultJobName, then to rivulet-job', () => {
    const job = defineJob((env) => void env.fromSequence(1, 2).print());
    assert.equal(job.name, undefined);
    assert.equal(job.compile({ defaultParallelism: 1, defaultJobName: 'from-file' }).graph.name, 'from-file');
    assert.equal(job.compile({ defaultParallelism: 1 }).graph.name, 'rivulet-job');
  });
});

describe('operator settings', () => {
  test('uid, name and setParallelism are reflected in the graph', () => {
    const graph = graphOf(
      defineJob((env) => {
        env
          .fromSequence(0, 99)
          .uid('numbers')
          .name('Numbers')
          .setParallelism(2)
          .filter((n) => n % 3 === 0)
          .name('Multiples of three')
          .setParallelism(3)
          .keyBy((n) => n % 2)
          .reduce((a, b) => a + b)
          .uid('sums')
          .print('sum')
          .uid('printer')
          .name('Print sums')
          .setParallelism(1);
      }),
      5,
    );
    const byId = new Map(graph.operators.map((o) => [o.id, o]));
    assert.deepEqual([...byId.keys()], ['numbers', 'filter-user-1', 'sums', 'printer']);
    assert.deepEqual(
      graph.operators.map((o) => [o.name, o.hasUserUid, o.parallelism]),
      [
        ['Numbers', true, 2],
        ['Multiples of three', false, 3],
        ['Keyed Reduce', true, null],
        ['Print sums', true, 1],
      ],
    );
    assert.deepEqual(byId.get('printer')?.params, { prefix: 'sum' });
    assert.deepEqual(byId.get('numbers')?.params, { from: 0, to: 99 });
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['rebalance', 'hash', 'rebalance']);
  });

  test('the environment sets the default parallelism and maxParallelism, whatever the call order', () => {
    let seen: [number, number] = [0, 0];
    const graph = graphOf(
      defineJob((env) => {
        env.fromSequence(1, 2).map((n) => n).setParallelism(3).print();
        env.setParallelism(3).setMaxParallelism(256);
        seen = [env.getParallelism(), env.getMaxParallelism()];
      }),
      7,
    );
    assert.deepEqual(seen, [3, 256]);
    assert.equal(graph.defaultParallelism, 3);
    assert.equal(graph.maxParallelism, 256);
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['forward', 'forward'], 'decided after env.setParallelism(3)');
  });

  test('getParallelism reports the compile default until the job sets its own', () => {
    let seen: [number, number] = [0, 0];
    defineJob((env) => {
      seen = [env.getParallelism(), env.getMaxParallelism()];
      env.fromSequence(1, 2).print();
    }).compile({ defaultParallelism: 6, maxParallelism: 64 });
    assert.deepEqual(seen, [6, 64]);
  });
});

describe('partitioning', () => {
  const job = (configure: (stage: 'source' | 'map', setParallelism: (n: number) => void) => void) =>
    defineJob((env) => {
      const source = env.fromSequence(1, 100);
      configure('source', (n) => void source.setParallelism(n));
      const mapped = source.map((n) => n + 1);
      configure('map', (n) => void mapped.setParallelism(n));
      mapped.print();
    });

  test('forward when both ends resolve to the same parallelism (explicit or default)', () => {
    const graph = graphOf(job((stage, set) => stage === 'source' && set(2)), 2);
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['forward', 'forward']);
  });

  test('rebalance when the parallelism differs', () => {
    const graph = graphOf(job((stage, set) => stage === 'map' && set(3)), 2);
    assert.equal(edge(graph, 'map-user-1').partitioning, 'rebalance');
    assert.equal(edge(graph, 'sink-print-2').partitioning, 'rebalance');
  });

  test('fromElements has parallelism 1, so a parallel successor is fed by rebalance', () => {
    const graph = graphOf(defineJob((env) => void env.fromElements('a', 'b').map((s) => s.length).print()), 4);
    assert.equal(graph.operators[0]?.parallelism, 1);
    assert.deepEqual(graph.operators[0]?.params, {});
    assert.deepEqual(graph.edges.map((e) => e.partitioning), ['rebalance', 'forward']);
  });

  test('explicit rebalance() and broadcast() apply to the next edge only', () => {
    const graph = graphOf(
      defineJob((env) => {
        const numbers = env.fromSequence(1, 10);
        numbers.rebalance().map((n) => n).print();
        numbers.broadcast().filter((n) => n > 0).print();
        numbers.rebalance().keyBy((n) => n).sum().print();
      }),
    );
    assert.deepEqual(
      graph.edges.map((e) => `${e.source}->${e.target}:${e.partitioning}`),
      [
        'source-sequence-0->map-user-1:rebalance',
        'map-user-1->sink-print-2:forward',
        'source-sequence-0->filter-user-3:broadcast',
        'filter-user-3->sink-print-4:forward',
        'source-sequence-0->reduce-sum-5:hash',
        'reduce-sum-5->sink-print-6:forward',
      ],
    );
    assert.deepEqual(graph.operators.find((o) => o.id === 'reduce-sum-5')?.params, { field: null });
  });

  test('operators that lead to no sink are left out, without renumbering the others', () => {
    const compiled = defineJob((env) => {
      const numbers = env.fromSequence(1, 10);
      numbers.map((n) => n * 2);
      numbers.filter((n) => n > 5).collect('big');
    }).compile({ defaultParallelism: 1 });
    assert.deepEqual(compiled.graph.operators.map((o) => o.id), ['source-sequence-0', 'filter-user-2', 'sink-collect-3']);
    assert.deepEqual([...compiled.functions.keys()], ['source-sequence-0', 'filter-user-2', 'sink-collect-3']);
    assert.deepEqual(compiled.graph.operators[2]?.params, { name: 'big' });
  });
});
