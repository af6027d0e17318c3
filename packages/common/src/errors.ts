/**
 * Errors shared by every Rivulet process. Each class sets `name`, carries a
 * stable `code`, takes `{ cause }`, and maps to a CLI exit code:
 * 2 for usage and configuration errors, 1 for cluster and job errors.
 */
export type RivuletErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'JOB'
  | 'UNREACHABLE'
  | 'CLUSTER'
  | 'NOT_FOUND'
  | 'FENCED'
  | 'UNAUTHENTICATED'
  | 'ILLEGAL_STATE'
  | 'NOT_IMPLEMENTED';

export class RivuletError extends Error {
  override readonly name: string = 'RivuletError';
  readonly code: RivuletErrorCode;

  constructor(code: RivuletErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Process exit code a CLI uses when this error ends it. */
  get exitCode(): 1 | 2 {
    return this.code === 'CONFIG_INVALID' || this.code === 'USAGE' ? 2 : 1;
  }
}

/** A configuration key, value or file is wrong. `key` names the culprit when known. */
export class ConfigurationError extends RivuletError {
  override readonly name = 'ConfigurationError';
  readonly key: string | undefined;
  readonly source: string | undefined;

  constructor(message: string, details: { key?: string; source?: string; cause?: unknown } = {}) {
    super('CONFIG_INVALID', message, { cause: details.cause });
    this.key = details.key;
    this.source = details.source;
  }
}

export class UsageError extends RivuletError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A peer (JobManager, TaskManager) cannot be reached. */
export class UnreachableError extends RivuletError {
  override readonly name = 'UnreachableError';
  readonly target: string;
  constructor(target: string, message: string, options?: { cause?: unknown }) {
    super('UNREACHABLE', message, options);
    this.target = target;
  }
}

/** A call was refused for its credentials: none, a wrong token, or a certificate the peer does not trust. */
export class AuthenticationError extends RivuletError {
  override readonly name = 'AuthenticationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAUTHENTICATED', message, options);
  }
}

/** A call came from a leader session older than the newest one seen. */
export class FencingError extends RivuletError {
  override readonly name = 'FencingError';
  constructor(message: string) {
    super('FENCED', message);
  }
}

/** A method was called in a lifecycle state that does not allow it. */
export class IllegalStateError extends RivuletError {
  override readonly name = 'IllegalStateError';
  constructor(message: string) {
    super('ILLEGAL_STATE', message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
