import { StreamExecutionEnvironment } from '../environment.js';
import { JobGraphError } from '../errors.js';
import { compileRecording } from '../graph/compile-graph.js';
import type { CompiledJob } from '../graph/compile-graph.js';
import { DEFAULT_MAX_PARALLELISM, MAX_PARALLELISM_LIMIT } from '../graph/parallelism-limits.js';
import { RecordingGraph } from '../graph/recording-graph.js';

/**
 * Marks a job module's default export. A registered symbol, not a class: the
 * job bundle carries its own copy of this package, so `instanceof` would
 * fail across the copies while `Symbol.for` is shared by all of them.
 */
export const JOB_DEFINITION_BRAND: unique symbol = Symbol.for('rivulet.job.v1');

export interface DefineJobOptions {
  /** The job's name in the CLI, REST and logs. */
  readonly name?: string;
}

export interface CompileOptions {
  /** Parallelism of operators that set none, unless the job calls env.setParallelism. */
  readonly defaultParallelism: number;
  /**
   * Number of key groups unless the job calls env.setMaxParallelism.
   * @default 128
   */
  readonly maxParallelism?: number;
  /** The job's name when defineJob was given none (e.g. the module's file name). @default 'rivulet-job' */
  readonly defaultJobName?: string;
  /** The job's arguments (`rivulet run JOB ARGS...`), read by `env.getArgs()` / `env.getParameter()`. @default [] */
  readonly args?: readonly string[];
  /**
   * pipeline.object-reuse (`rivulet run --set pipeline.object-reuse=true`),
   * unless the job calls env.enableObjectReuse / disableObjectReuse.
   * @default false
   */
  readonly objectReuse?: boolean;
  /**
   * pipeline.auto-watermark-interval in ms (`rivulet run --set
   * pipeline.auto-watermark-interval=1s`), unless the job calls
   * env.setAutoWatermarkInterval. @default 200
   */
  readonly autoWatermarkIntervalMs?: number;
}

/** What a job module exports by default: a build function that can be compiled any number of times. */
export interface JobDefinition {
  readonly [JOB_DEFINITION_BRAND]: true;
  /** The name given to defineJob, if any. */
  readonly name: string | undefined;
  /**
   * Runs the build function against a fresh environment and returns the
   * validated graph with the operators' functions. Deterministic: the same
   * bundle and options give deep-equal graphs, in every process; each call
   * creates fresh function objects. Throws JobGraphError for an invalid job.
   */
  compile(options: CompileOptions): CompiledJob;
}

export type JobBuildFunction = (env: StreamExecutionEnvironment) => void;

/**
 * Declares a job: `export default defineJob((env) => { ... })`. The build
 * function must build the whole graph synchronously; it runs once per
 * compile (in the CLI and in every TaskManager), so it must not do I/O or
 * depend on the process it runs in.
 */
export function defineJob(build: JobBuildFunction, options: DefineJobOptions = {}): JobDefinition {
  if (typeof build !== 'function') {
    throw new JobGraphError('INVALID_ARGUMENT', `defineJob() needs a build function, got ${build === null ? 'null' : typeof build}`);
  }
  const name = options.name;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    throw new JobGraphError('INVALID_ARGUMENT', `defineJob(): the job name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  return Object.freeze({
    [JOB_DEFINITION_BRAND]: true as const,
    name,
    compile: (compileOptions: CompileOptions) => compileJob(build, name, compileOptions),
  });
}

/** True for a JobDefinition made by any copy of this package (checked by brand, not instanceof). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const candidate = value as { [JOB_DEFINITION_BRAND]?: unknown; compile?: unknown };
  return candidate[JOB_DEFINITION_BRAND] === true && typeof candidate.compile === 'function';
}

function compileJob(build: JobBuildFunction, name: string | undefined, options: CompileOptions): CompiledJob {
  const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
  if (!Number.isInteger(options.defaultParallelism) || options.defaultParallelism < 1) {
    const given = String(options.defaultParallelism);
    throw new JobGraphError('INVALID_PARALLELISM', `compile option defaultParallelism must be a positive integer, got ${given}`);
  }
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_LIMIT) {
    const given = String(maxParallelism);
    throw new JobGraphError(
      'INVALID_PARALLELISM',
      `compile option maxParallelism must be an integer from 1 to ${MAX_PARALLELISM_LIMIT}, got ${given}`,
    );
  }
  const recording = new RecordingGraph();
  const args = Object.freeze([...(options.args ?? [])]);
  const env = new StreamExecutionEnvironment(recording, { parallelism: options.defaultParallelism, maxParallelism, args, autoWatermarkIntervalMs: options.autoWatermarkIntervalMs });
  let result: unknown;
  try {
    result = build(env);
  } finally {
    recording.seal();
  }
  if (typeof (result as { then?: unknown } | null | undefined)?.then === 'function') {
    throw new JobGraphError(
      'ILLEGAL_BUILD',
      'the build function passed to defineJob returned a promise; it must build the graph synchronously',
    );
  }
  return compileRecording(recording, {
    name: name ?? options.defaultJobName ?? 'rivulet-job',
    defaultParallelism: options.defaultParallelism,
    maxParallelism,
    args,
    objectReuse: options.objectReuse === true,
    autoWatermarkIntervalMs: options.autoWatermarkIntervalMs,
  });
}
