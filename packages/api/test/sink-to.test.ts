import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { JobGraphError, defineJob, type Committer, type Sink, type SinkWriter, type StreamExecutionEnvironment } from '../src/index.js';

/** A sink whose methods are never called here: compiling only records it. */
class SecretSink implements Sink<number, string, number> {
  readonly secret = 'kept-out-of-the-graph';
  createWriter(): SinkWriter<number, string, number> {
    throw new Error('not called when compiling');
  }
  createCommitter(): Committer<string> {
    throw new Error('not called when compiling');
  }
}

function compile(build: (env: StreamExecutionEnvironment) => void) {
  return defineJob(build).compile({ defaultParallelism: 3 });
}

describe('stream.sinkTo', () => {
  const sink = new SecretSink();
  const compiled = compile((env) => void env.fromSequence(1, 10).sinkTo(sink).name('Orders').uid('orders').setParallelism(2));
  const operator = compiled.graph.operators.find((o) => o.kind === 'sink')!;

  test('records a sink operator; name, uid and parallelism work as for addSink', () => {
    assert.equal(operator.variant, 'sink');
    assert.equal(operator.name, 'Orders');
    assert.equal(operator.parallelism, 2);
    assert.equal(compiled.graph.operators.filter((o) => o.kind === 'sink').length, 1);
  });

  test('the Sink object stays in the bundle\'s operator functions, never in the JSON graph', () => {
    const functions = compiled.functions.get(operator.id);
    assert.equal(functions?.kind, 'sink');
    assert.equal(functions.kind === 'sink' ? functions.sink : undefined, sink);
    assert.ok(!JSON.stringify(compiled.graph).includes('kept-out-of-the-graph'));
  });

  test('a sink without createWriter is refused, naming the call', () => {
    assert.throws(
      () => compile((env) => void env.fromSequence(1, 2).sinkTo({} as Sink<number>)),
      (err: unknown) => err instanceof JobGraphError && /sinkTo\(\) \(the sink's createWriter\) needs a function, got undefined/.test(err.message),
    );
    assert.throws(() => compile((env) => void env.fromSequence(1, 2).sinkTo(undefined as unknown as Sink<number>)), /sinkTo\(\)/);
  });
});
