import type { Source, SourceSplit } from './connector/source.js';
import { SingleOutputStreamOperator } from './datastream/data-stream.js';
import { requireNonEmptyString } from './datastream/operator-settings.js';
import { JobGraphError } from './errors.js';
import type { WatermarkStrategy } from './eventtime/watermark-strategy.js';
import { DEFAULT_AUTO_WATERMARK_INTERVAL_MS } from './graph/job-graph.js';
import { MAX_PARALLELISM_LIMIT } from './graph/parallelism-limits.js';
import type { OperatorSpec, RecordingGraph } from './graph/recording-graph.js';

/** The defaults a compile call gives the environment (from the CLI / cluster). */
export interface EnvironmentDefaults {
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly args: readonly string[];
  /** pipeline.auto-watermark-interval given at submission, if any. */
  readonly autoWatermarkIntervalMs?: number | undefined;
}

/**
 * The entry point of a job's build function (Flink's
 * StreamExecutionEnvironment): job-wide settings and the sources. It only
 * records; the graph is compiled after the build function returns, so
 * settings made here apply to every operator whatever the call order.
 */
export class StreamExecutionEnvironment {
  readonly #graph: RecordingGraph;
  readonly #defaults: EnvironmentDefaults;

  /** @internal Created by JobDefinition.compile; not for job code. */
  constructor(graph: RecordingGraph, defaults: EnvironmentDefaults) {
    this.#graph = graph;
    this.#defaults = defaults;
  }

  /** Default parallelism of the job's operators; overrides the one given at submission (`--parallelism`). */
  setParallelism(parallelism: number): this {
    this.#graph.assertOpen();
    this.#graph.defaultParallelism = parallelism;
    return this;
  }

  /** The job's arguments: what followed the job file in `rivulet run JOB ARGS...`. */
  getArgs(): readonly string[] {
    return this.#defaults.args;
  }

  /**
   * The value of `--name value` or `--name=value` among the job's arguments
   * (Flink's ParameterTool), else `defaultValue`; throws when neither exists.
   */
  getParameter(name: string, defaultValue?: string): string {
    const args = this.#defaults.args;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === `--${name}` && i + 1 < args.length) return args[i + 1]!;
      if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    }
    if (defaultValue !== undefined) return defaultValue;
    throw new JobGraphError('INVALID_ARGUMENT', `the job needs the argument --${name} (rivulet run JOB --${name} VALUE)`);
  }

  getParallelism(): number {
    return this.#graph.defaultParallelism ?? this.#defaults.parallelism;
  }

  /** Number of key groups (1..32768, default 128): the upper bound of any operator's parallelism, fixed for the life of the job's state. */
  setMaxParallelism(maxParallelism: number): this {
    this.#graph.assertOpen();
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_LIMIT) {
      throw new JobGraphError(
        'INVALID_PARALLELISM',
        `setMaxParallelism(${String(maxParallelism)}): maxParallelism must be an integer from 1 to ${MAX_PARALLELISM_LIMIT}`,
      );
    }
    this.#graph.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.#graph.maxParallelism ?? this.#defaults.maxParallelism;
  }

  /**
   * Object reuse (Flink's `env.getConfig().enableObjectReuse()`, the job
   * setting pipeline.object-reuse): operators hand records to each other,
   * to keyed state and to sinks without copying them. Faster for records
   * that are objects, but only for functions that never mutate a record
   * they received or emitted (docs/datastream-api.md, "Object reuse").
   * Overrides `--set pipeline.object-reuse`.
   */
  enableObjectReuse(): this {
    this.#graph.assertOpen();
    this.#graph.objectReuse = true;
    return this;
  }

  /** Object reuse off (the default): records are copied wherever the runtime keeps or shares one. Overrides `--set pipeline.object-reuse`. */
  disableObjectReuse(): this {
    this.#graph.assertOpen();
    this.#graph.objectReuse = false;
    return this;
  }

  /**
   * Event time: how often timestamp assigners emit periodic watermarks and
   * check idleness, in ms (Flink's `getConfig().setAutoWatermarkInterval`,
   * the setting pipeline.auto-watermark-interval, default 200); 0 turns
   * periodic watermarks off. Overrides `--set pipeline.auto-watermark-interval`.
   */
  setAutoWatermarkInterval(intervalMs: number): this {
    this.#graph.assertOpen();
    if (typeof intervalMs !== 'number' || !Number.isSafeInteger(intervalMs) || intervalMs < 0) {
      throw new JobGraphError('INVALID_ARGUMENT', `setAutoWatermarkInterval(${String(intervalMs)}): the interval must be an integer number of milliseconds >= 0`);
    }
    this.#graph.autoWatermarkIntervalMs = intervalMs;
    return this;
  }

  /** The interval set by setAutoWatermarkInterval, else the one given at submission, else 200 ms. */
  getAutoWatermarkInterval(): number {
    return this.#graph.autoWatermarkIntervalMs ?? this.#defaults.autoWatermarkIntervalMs ?? DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
  }

  /** The integers from `from` to `to`, both included; the runtime splits the range among the subtasks. */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) {
      throw new JobGraphError(
        'INVALID_ARGUMENT',
        `fromSequence(${String(from)}, ${String(to)}) needs safe integers with from <= to`,
      );
    }
    return this.#source({ variant: 'sequence', name: 'Source: Sequence', params: { from, to }, functions: { kind: 'source' } });
  }

  /**
   * The given values, in order. They stay in the job bundle (in the
   * operator's functions as `elements`), not in the JSON graph; the source
   * is not parallel, so its parallelism is 1.
   */
  fromElements<T>(...values: T[]): SingleOutputStreamOperator<T> {
    const elements: readonly unknown[] = Object.freeze([...values]);
    return this.#source({
      variant: 'elements',
      name: 'Source: Elements',
      params: {},
      functions: { kind: 'source', elements },
      parallelism: 1,
    });
  }

  /** The lines of a text file (without line terminators); the runtime reads it in splits by byte offset. */
  readTextFile(path: string): SingleOutputStreamOperator<string> {
    requireNonEmptyString(path, 'readTextFile()', 'path');
    return this.#source({ variant: 'textFile', name: 'Source: Text File', params: { path }, functions: { kind: 'source' } });
  }

  /**
   * A source written against the Source API (Flink's `env.fromSource`):
   * its enumerator runs on the JobManager, one reader per parallel subtask
   * (the stream's parallelism). The Source object and the strategy stay in
   * the job bundle (the operator's functions), not in the JSON graph, which
   * records the source's boundedness and the strategy's settings. A BOUNDED
   * source ends when its readers end; the strategy's watermarks are
   * generated per split (docs/source-api.md).
   */
  fromSource<T, Split extends SourceSplit, EnumState>(
    source: Source<T, Split, EnumState>,
    watermarkStrategy: WatermarkStrategy<T>,
    sourceName: string,
  ): SingleOutputStreamOperator<T> {
    requireNonEmptyString(sourceName, 'fromSource()', 'sourceName');
    for (const method of ['getBoundedness', 'createEnumerator', 'restoreEnumerator', 'createReader'] as const) {
      if (typeof (source as Partial<Source<T, Split, EnumState>> | undefined)?.[method] !== 'function') {
        throw new JobGraphError('INVALID_ARGUMENT', `fromSource(..., "${sourceName}"): the source has no ${method}() method (it must implement the Source interface)`);
      }
    }
    if (typeof (watermarkStrategy as Partial<WatermarkStrategy<T>> | undefined)?.createWatermarkGenerator !== 'function') {
      throw new JobGraphError('INVALID_ARGUMENT', `fromSource(..., "${sourceName}"): the second argument must be a WatermarkStrategy (e.g. WatermarkStrategy.noWatermarks())`);
    }
    const boundedness = source.getBoundedness();
    if (boundedness !== 'BOUNDED' && boundedness !== 'CONTINUOUS_UNBOUNDED') {
      throw new JobGraphError('INVALID_ARGUMENT', `fromSource(..., "${sourceName}"): getBoundedness() returned ${JSON.stringify(boundedness)}; expected 'BOUNDED' or 'CONTINUOUS_UNBOUNDED'`);
    }
    return this.#source({
      variant: 'custom',
      name: sourceName,
      params: { boundedness, watermarks: { ...watermarkStrategy.describe() } },
      functions: {
        kind: 'source',
        source: source as unknown as Source<unknown, SourceSplit, unknown>,
        watermarkStrategy: watermarkStrategy as unknown as WatermarkStrategy<unknown>,
      },
    });
  }

  #source<T>(template: Omit<OperatorSpec, 'kind' | 'keyed' | 'inputs'>): SingleOutputStreamOperator<T> {
    const operator = this.#graph.add({ ...template, kind: 'source', keyed: false, inputs: [] });
    return new SingleOutputStreamOperator<T>(this.#graph, operator);
  }
}
