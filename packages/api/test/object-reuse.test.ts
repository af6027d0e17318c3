import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, JobGraphError, validateJobGraph, type StreamExecutionEnvironment } from '../src/index.js';

/** pipeline.object-reuse: the compile option (`rivulet run --set`) unless the job decides; carried by the graph only when on. */
describe('object reuse in the job graph', () => {
  const job = (configure: (env: StreamExecutionEnvironment) => void = () => {}) =>
    defineJob((env) => {
      configure(env);
      env.fromSequence(1, 3).print();
    });

  test('off by default: the graph does not carry the setting', () => {
    const { graph } = job().compile({ defaultParallelism: 1 });
    assert.equal('objectReuse' in graph, false);
  });

  test('the compile option turns it on', () => {
    assert.equal(job().compile({ defaultParallelism: 1, objectReuse: true }).graph.objectReuse, true);
  });

  test('env.enableObjectReuse() and disableObjectReuse() win over the compile option', () => {
    assert.equal(job((env) => env.enableObjectReuse()).compile({ defaultParallelism: 1 }).graph.objectReuse, true);
    const disabled = job((env) => env.disableObjectReuse()).compile({ defaultParallelism: 1, objectReuse: true }).graph;
    assert.equal('objectReuse' in disabled, false);
  });

  test('a graph with a setting that is not a boolean is refused', () => {
    const { graph } = job().compile({ defaultParallelism: 1 });
    assert.throws(() => validateJobGraph({ ...graph, objectReuse: 'yes' as unknown as boolean }), (err) => err instanceof JobGraphError && /objectReuse must be a boolean/.test(err.message));
  });

  test('the setting cannot change after build returned', () => {
    let captured: StreamExecutionEnvironment | undefined;
    job((env) => (captured = env)).compile({ defaultParallelism: 1 });
    assert.throws(() => captured!.enableObjectReuse(), JobGraphError);
  });
});
