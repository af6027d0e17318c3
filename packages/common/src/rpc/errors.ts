import * as grpc from '@grpc/grpc-js';
import {
  ConfigurationError,
  FencingError,
  IllegalStateError,
  RivuletError,
  UnreachableError,
  UsageError,
  errorMessage,
  type RivuletErrorCode,
} from '../errors.js';

const STATUS_OF: Readonly<Record<RivuletErrorCode, grpc.status>> = {
  CONFIG_INVALID: grpc.status.INVALID_ARGUMENT,
  USAGE: grpc.status.INVALID_ARGUMENT,
  JOB: grpc.status.INVALID_ARGUMENT,
  UNREACHABLE: grpc.status.UNAVAILABLE,
  CLUSTER: grpc.status.INTERNAL,
  NOT_FOUND: grpc.status.NOT_FOUND,
  FENCED: grpc.status.FAILED_PRECONDITION,
  ILLEGAL_STATE: grpc.status.FAILED_PRECONDITION,
  NOT_IMPLEMENTED: grpc.status.UNIMPLEMENTED,
};

/** Server side: any thrown value becomes a status with a readable message. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RivuletError) {
    const metadata = new grpc.Metadata();
    metadata.set('rivulet-error-code', err.code);
    return { code: STATUS_OF[err.code], details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: errorMessage(err) };
}

/** Client side: a failed call becomes a RivuletError with the server's message. */
export function fromServiceError(err: grpc.ServiceError, target: string): RivuletError {
  const code = err.metadata?.get('rivulet-error-code')[0];
  const details = err.details || err.message;
  switch (err.code) {
    case grpc.status.UNAVAILABLE:
      return new UnreachableError(target, `cannot reach ${target}: ${describeUnavailable(details)}`, { cause: err });
    case grpc.status.DEADLINE_EXCEEDED:
      return new UnreachableError(target, `${target} did not answer in time`, { cause: err });
    case grpc.status.INVALID_ARGUMENT:
      if (code === 'CONFIG_INVALID') return new ConfigurationError(details, { cause: err });
      return code === 'JOB' ? new RivuletError('JOB', details, { cause: err }) : new UsageError(details);
    case grpc.status.FAILED_PRECONDITION:
      return code === 'FENCED' ? new FencingError(details) : new IllegalStateError(details);
    case grpc.status.NOT_FOUND:
      return new RivuletError('NOT_FOUND', details, { cause: err });
    case grpc.status.UNIMPLEMENTED:
      return new RivuletError('NOT_IMPLEMENTED', details, { cause: err });
    default:
      return new RivuletError('CLUSTER', details, { cause: err });
  }
}

function describeUnavailable(details: string): string {
  if (/ECONNREFUSED|Connection refused/i.test(details)) return 'connection refused';
  if (/ENOTFOUND|Name resolution failed/i.test(details)) return 'unknown host';
  if (/No connection established/i.test(details)) return 'connection refused';
  return details;
}
