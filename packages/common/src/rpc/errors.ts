import * as grpc from '@grpc/grpc-js';
import {
  AuthenticationError,
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
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
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
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.PERMISSION_DENIED:
      return new AuthenticationError(`${target} refused the call: ${details}`, { cause: err });
    case grpc.status.RESOURCE_EXHAUSTED:
      return new RivuletError('CLUSTER', `${target} refused the call: the message is larger than it accepts (pekko.framesize): ${details}`, { cause: err });
    case grpc.status.NOT_FOUND:
      return new RivuletError('NOT_FOUND', details, { cause: err });
    case grpc.status.UNIMPLEMENTED:
      return new RivuletError('NOT_IMPLEMENTED', details, { cause: err });
    default:
      return new RivuletError('CLUSTER', details, { cause: err });
  }
}

function describeUnavailable(details: string): string {
  const tls = describeTlsFailure(details);
  if (tls !== undefined) return tls;
  if (/ECONNREFUSED|Connection refused/i.test(details)) return 'connection refused';
  if (/ENOTFOUND|Name resolution failed/i.test(details)) return 'unknown host';
  // A plaintext client at a TLS port (or one that closed the connection at once): the server answered, but not in HTTP/2.
  if (/Failed to connect|Connection dropped|Protocol error/i.test(details)) {
    return `the connection closed before any answer: the port may speak TLS while this side does not (security.ssl.internal.enabled), or the other way round (${details})`;
  }
  if (/No connection established/i.test(details)) return 'connection refused';
  return details;
}

/** A TLS failure as the client sees it, said plainly with the keys to check; undefined when `details` is no TLS failure. */
function describeTlsFailure(details: string): string | undefined {
  if (/self[- ]signed certificate|unable to (get|verify)|certificate signature failure|UNABLE_TO_VERIFY/i.test(details)) {
    return `TLS handshake failed: its certificate is not signed by the CA this side trusts (security.ssl.internal.ca): ${details}`;
  }
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(details)) return `TLS handshake failed: a certificate has expired: ${details}`;
  if (/alert (number )?4[0-9]|handshake failure|certificate required|bad certificate|unknown ca/i.test(details)) {
    return `TLS handshake failed: the peer refused this side's certificate (or none was presented; security.ssl.internal.*): ${details}`;
  }
  if (/wrong version number|packet length too long|http request|EPROTO/i.test(details)) {
    return `TLS mismatch: one side speaks TLS and the other plaintext (security.ssl.internal.enabled): ${details}`;
  }
  return undefined;
}
