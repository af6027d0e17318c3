import { describeOperator, JobGraphError } from '../errors.js';
import { JOB_GRAPH_VERSION, PARTITIONINGS, TWO_INPUT_KINDS } from './job-graph.js';
import type { JobGraph, OperatorNode, StreamEdge } from './job-graph.js';
import { MAX_PARALLELISM_LIMIT } from './parallelism-limits.js';

/** Also thrown by compileRecording, which checks for a sink before pruning. */
export const NO_SINK_MESSAGE = 'the job has no sink: end each pipeline with print(), writeAsText(), collect() or addSink()';
export const EMPTY_JOB_MESSAGE = 'the job is empty: its build function defined no operators';
/** Source variants that run as a single subtask. */
const NON_PARALLEL_SOURCE_VARIANTS: ReadonlySet<string> = new Set(['elements']);

/**
 * Checks that a JobGraph can run, throwing a JobGraphError that names the
 * operator at fault. Works on the JSON graph alone, so the JobManager can
 * run it again on a submitted graph. Checks, in this order: version and job settings,
 * a non-empty graph, unique ids, a sink, each operator's parallelism, unique
 * collect() names, then edges (known ends in topological order, nothing out
 * of a sink or into a source, 'forward' only between equal parallelisms,
 * 'hash' exactly into keyed operators — but a broadcast process function's
 * second input, which is 'broadcast' —, at most one edge between two
 * operators, second inputs only into two-input operators, every non-source
 * operator fed, a two-input operator on both inputs).
 */
export function validateJobGraph(graph: JobGraph): void {
  const { defaultParallelism, maxParallelism } = graph;
  if (graph.version !== JOB_GRAPH_VERSION) {
    throw new JobGraphError('UNSUPPORTED_VERSION', `job graph version ${String(graph.version)} is not supported (expected ${JOB_GRAPH_VERSION})`);
  }
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_LIMIT) {
    throw new JobGraphError(
      'INVALID_PARALLELISM',
      `maxParallelism ${String(maxParallelism)} is out of range: it must be an integer from 1 to ${MAX_PARALLELISM_LIMIT}`,
    );
  }
  if (!Number.isInteger(defaultParallelism) || defaultParallelism < 1) {
    throw new JobGraphError('INVALID_PARALLELISM', `the default parallelism ${String(defaultParallelism)} must be a positive integer`);
  }
  if (graph.objectReuse !== undefined && typeof graph.objectReuse !== 'boolean') {
    throw new JobGraphError('INVALID_ARGUMENT', `objectReuse must be a boolean, got ${JSON.stringify(graph.objectReuse)}`);
  }
  if (graph.operators.length === 0) {
    throw new JobGraphError('EMPTY_JOB', EMPTY_JOB_MESSAGE);
  }
  const byId = indexById(graph.operators);
  if (!graph.operators.some((operator) => operator.kind === 'sink')) {
    throw new JobGraphError('NO_SINK', NO_SINK_MESSAGE);
  }
  for (const operator of graph.operators) checkParallelism(operator, graph);
  checkCollectNames(graph.operators);
  const position = new Map(graph.operators.map((operator, index) => [operator.id, index]));
  const parallelismOf = (operator: OperatorNode): number => operator.parallelism ?? defaultParallelism;
  for (const edge of graph.edges) checkEdge(edge, byId, position, parallelismOf);
  checkNoDuplicateEdges(graph.edges, byId);
  for (const operator of graph.operators) checkInputs(operator, graph.edges);
}

function indexById(operators: readonly OperatorNode[]): Map<string, OperatorNode> {
  const byId = new Map<string, OperatorNode>();
  for (const operator of operators) {
    const other = byId.get(operator.id);
    if (other !== undefined) {
      const [withUid, derived] = operator.hasUserUid ? [operator, other] : [other, operator];
      const message = derived.hasUserUid
        ? `uid '${operator.id}' is given to two operators, '${other.name}' and '${operator.name}'; uids must be unique in a job`
        : `uid '${operator.id}' of operator '${withUid.name}' equals the derived id of operator '${derived.name}'; choose another uid`;
      throw new JobGraphError('DUPLICATE_UID', message, { operatorId: operator.id });
    }
    byId.set(operator.id, operator);
  }
  return byId;
}

function checkParallelism(operator: OperatorNode, graph: JobGraph): void {
  const parallelism = operator.parallelism ?? graph.defaultParallelism;
  const given = operator.parallelism === null ? `parallelism ${parallelism} (the job default)` : `parallelism ${String(parallelism)}`;
  const fail = (message: string): never => {
    throw new JobGraphError('INVALID_PARALLELISM', message, { operatorId: operator.id });
  };
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    fail(`${describeOperator(operator)} has ${given}; it must be a positive integer`);
  }
  if (parallelism > graph.maxParallelism) {
    fail(
      operator.keyed
        ? `keyed ${describeOperator(operator)} has ${given} but the job has only ${graph.maxParallelism} key groups ` +
            '(maxParallelism); raise maxParallelism or lower the parallelism'
        : `${describeOperator(operator)} has ${given}, above the job's maxParallelism ${graph.maxParallelism}`,
    );
  }
  if (operator.kind === 'source' && NON_PARALLEL_SOURCE_VARIANTS.has(operator.variant) && parallelism > 1) {
    fail(`source ${describeOperator(operator)} is not parallel ('${operator.variant}'): its parallelism must be 1, got ${parallelism}`);
  }
}

function checkCollectNames(operators: readonly OperatorNode[]): void {
  const seen = new Set<unknown>();
  for (const operator of operators) {
    if (operator.kind !== 'sink' || operator.variant !== 'collect') continue;
    const name = operator.params['name'];
    if (seen.has(name)) {
      const message = `collect('${String(name)}') is used by more than one sink; give each collect() its own name`;
      throw new JobGraphError('DUPLICATE_COLLECT_NAME', message, { operatorId: operator.id });
    }
    seen.add(name);
  }
}

function checkEdge(
  edge: StreamEdge,
  byId: ReadonlyMap<string, OperatorNode>,
  position: ReadonlyMap<string, number>,
  parallelismOf: (operator: OperatorNode) => number,
): void {
  const source = byId.get(edge.source);
  const target = byId.get(edge.target);
  const fail = (message: string, operatorId: string): never => {
    throw new JobGraphError('INVALID_EDGE', message, { operatorId });
  };
  if (source === undefined || target === undefined) {
    return fail(`the edge ${edge.source} -> ${edge.target} names an unknown operator`, edge.target);
  }
  if ((position.get(source.id) ?? 0) >= (position.get(target.id) ?? 0)) {
    fail(`the edge from ${describeOperator(source)} to ${describeOperator(target)} goes against the operators' order (a cycle?)`, target.id);
  }
  if (source.kind === 'sink') {
    fail(`sink ${describeOperator(source)} has an outgoing edge (to ${describeOperator(target)}); a sink emits nothing`, source.id);
  }
  if (target.kind === 'source') {
    fail(`source ${describeOperator(target)} has an incoming edge (from ${describeOperator(source)})`, target.id);
  }
  if (edge.partitioning === 'forward' && parallelismOf(source) !== parallelismOf(target)) {
    const from = `${describeOperator(source)} (parallelism ${parallelismOf(source)})`;
    const to = `${describeOperator(target)} (parallelism ${parallelismOf(target)})`;
    fail(`the forward edge from ${from} to ${to} needs equal parallelism`, target.id);
  }
  if (!(PARTITIONINGS as readonly string[]).includes(edge.partitioning)) {
    fail(`the edge from ${describeOperator(source)} to ${describeOperator(target)} has an unknown partitioning ${JSON.stringify(edge.partitioning)}`, target.id);
  }
  const secondInput = edge.input === 2;
  if (edge.input !== undefined && edge.input !== 2) {
    fail(`the edge from ${describeOperator(source)} to ${describeOperator(target)} names input ${JSON.stringify(edge.input)}; only 2 (the second input) may be given`, target.id);
  }
  if (secondInput && !TWO_INPUT_KINDS.has(target.kind)) {
    fail(`${describeOperator(target)} has one input, but the edge from ${describeOperator(source)} feeds its second input`, target.id);
  }
  if (secondInput && target.kind === 'broadcastProcess') {
    if (edge.partitioning !== 'broadcast') {
      fail(`${describeOperator(target)} reads broadcast state from its second input, which must be 'broadcast' (stream.broadcast(descriptor)), got '${edge.partitioning}'`, target.id);
    }
    return;
  }
  if ((edge.partitioning === 'hash') !== target.keyed) {
    fail(target.keyed
      ? `keyed ${describeOperator(target)} has a '${edge.partitioning}' input; a keyed operator's inputs must be 'hash' (keyBy)`
      : `${describeOperator(target)} has a 'hash' input but is not keyed`, target.id);
  }
}

function checkInputs(operator: OperatorNode, edges: readonly StreamEdge[]): void {
  if (operator.kind === 'source') return;
  const inputs = edges.filter((edge) => edge.target === operator.id);
  if (inputs.length === 0) {
    throw new JobGraphError('INVALID_EDGE', `${describeOperator(operator)} has no input`, { operatorId: operator.id });
  }
  if (!TWO_INPUT_KINDS.has(operator.kind)) return;
  for (const [number, present] of [[1, inputs.some((e) => e.input !== 2)], [2, inputs.some((e) => e.input === 2)]] as const) {
    if (!present) {
      throw new JobGraphError('INVALID_EDGE', `two-input ${describeOperator(operator)} has no edge into its input ${number}`, { operatorId: operator.id });
    }
  }
}

/**
 * Two edges between the same pair of operators (a stream unioned or
 * connected with itself, or an operator's main and side output into the same
 * operator) would share their result partitions: refused, with the way out.
 */
function checkNoDuplicateEdges(edges: readonly StreamEdge[], byId: ReadonlyMap<string, OperatorNode>): void {
  const seen = new Set<string>();
  for (const edge of edges) {
    const key = `${edge.source}\u0000${edge.target}`;
    if (seen.has(key)) {
      const source = byId.get(edge.source)!;
      const target = byId.get(edge.target)!;
      throw new JobGraphError(
        'INVALID_EDGE',
        `${describeOperator(source)} feeds ${describeOperator(target)} twice (a stream unioned, connected or joined with itself?); ` +
          'give one of the two paths an operator of its own, e.g. .map((v) => v)',
        { operatorId: target.id },
      );
    }
    seen.add(key);
  }
}
