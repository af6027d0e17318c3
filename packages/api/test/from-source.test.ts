import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  JobGraphError,
  WatermarkStrategy,
  defineJob,
  type Boundedness,
  type Source,
  type SourceReader,
  type SourceSplit,
  type SplitEnumerator,
  type StreamExecutionEnvironment,
} from '../src/index.js';

interface RangeSplit extends SourceSplit {
  readonly next: number;
}

/** A source whose methods are never called here: compiling only records it. */
class SecretSource implements Source<number, RangeSplit, RangeSplit[]> {
  readonly secret = 'kept-out-of-the-graph';
  constructor(private readonly boundedness: Boundedness) {}
  getBoundedness(): Boundedness {
    return this.boundedness;
  }
  createEnumerator(): SplitEnumerator<RangeSplit, RangeSplit[]> {
    throw new Error('not called when compiling');
  }
  restoreEnumerator(): SplitEnumerator<RangeSplit, RangeSplit[]> {
    throw new Error('not called when compiling');
  }
  createReader(): SourceReader<number, RangeSplit> {
    throw new Error('not called when compiling');
  }
}

function compile(build: (env: StreamExecutionEnvironment) => void) {
  return defineJob(build).compile({ defaultParallelism: 3 });
}

describe('env.fromSource', () => {
  const source = new SecretSource('BOUNDED');
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<number>(50);
  const compiled = compile((env) => void env.fromSource(source, strategy, 'Numbers').setParallelism(2).print());
  const operator = compiled.graph.operators[0]!;

  test('records a source operator with the given name, parallelism, boundedness and strategy settings', () => {
    assert.equal(operator.kind, 'source');
    assert.equal(operator.variant, 'custom');
    assert.equal(operator.name, 'Numbers');
    assert.equal(operator.parallelism, 2);
    assert.equal(operator.params['boundedness'], 'BOUNDED');
    assert.deepEqual(operator.params['watermarks'], { generator: 'boundedOutOfOrderness', outOfOrdernessMs: 50, timestampAssigner: false });
  });

  test('keeps the Source object and the strategy in the functions map, not in the JSON graph', () => {
    const functions = compiled.functions.get(operator.id);
    assert.equal(functions?.kind, 'source');
    assert.equal(functions.kind === 'source' ? functions.source : undefined, source);
    assert.equal(functions.kind === 'source' ? functions.watermarkStrategy : undefined, strategy);
    assert.ok(!JSON.stringify(compiled.graph).includes('kept-out-of-the-graph'));
  });

  test('takes the default parallelism when none is set, and records an unbounded source as such', () => {
    const unbounded = compile((env) => void env.fromSource(new SecretSource('CONTINUOUS_UNBOUNDED'), WatermarkStrategy.noWatermarks(), 'Events').print());
    const op = unbounded.graph.operators[0]!;
    assert.equal(op.params['boundedness'], 'CONTINUOUS_UNBOUNDED');
    assert.equal(op.parallelism ?? unbounded.graph.defaultParallelism, 3);
  });

  test('refuses what is not a source, not a strategy, an empty name or an unknown boundedness, naming the source', () => {
    const fails = (build: (env: StreamExecutionEnvironment) => void, pattern: RegExp): void =>
      assert.throws(() => compile(build), (err: unknown) => err instanceof JobGraphError && pattern.test(err.message));
    fails((env) => void env.fromSource({} as never, WatermarkStrategy.noWatermarks(), 'Broken').print(), /"Broken".*no getBoundedness\(\)/);
    fails((env) => void env.fromSource(source, {} as never, 'NoStrategy').print(), /"NoStrategy".*WatermarkStrategy/);
    fails((env) => void env.fromSource(source, WatermarkStrategy.noWatermarks(), '').print(), /sourceName/);
    fails(
      (env) => void env.fromSource(new SecretSource('FINITE' as Boundedness), WatermarkStrategy.noWatermarks(), 'Odd').print(),
      /"Odd".*getBoundedness\(\) returned "FINITE"/,
    );
  });
});
