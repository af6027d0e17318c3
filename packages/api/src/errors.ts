/**
 * Errors of the DataStream API. Every one is a `JobGraphError` with a stable
 * `code`; `operatorId` names the offending operator when there is one. They
 * are thrown while a job's graph is built or compiled — never at run time —
 * so a bad job fails in the CLI before anything is submitted.
 */
export type JobGraphErrorCode =
  /** A bad argument to an API call, reported where the call is made. */
  | 'INVALID_ARGUMENT'
  /** Default, operator or max parallelism out of range. */
  | 'INVALID_PARALLELISM'
  /** Two operators share an id (a uid given twice, or a uid equal to a derived id). */
  | 'DUPLICATE_UID'
  /** Two collect() sinks share a result name. */
  | 'DUPLICATE_COLLECT_NAME'
  /** An edge the runtime could not execute (forward across parallelisms, out of a sink). */
  | 'INVALID_EDGE'
  | 'NO_SINK'
  | 'EMPTY_JOB'
  /** A JSON graph of another JOB_GRAPH_VERSION. */
  | 'UNSUPPORTED_VERSION'
  /** The build function was async, or the environment was used after build returned. */
  | 'ILLEGAL_BUILD';

export class JobGraphError extends Error {
  override readonly name = 'JobGraphError';
  readonly code: JobGraphErrorCode;
  readonly operatorId: string | undefined;

  constructor(code: JobGraphErrorCode, message: string, options: { operatorId?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.operatorId = options.operatorId;
  }
}

/** `operator 'Map' (map-user-1)`: how errors name an operator. */
export function describeOperator(operator: { readonly name: string; readonly id: string }): string {
  return `operator '${operator.name}' (${operator.id})`;
}
