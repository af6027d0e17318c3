import * as grpc from '@grpc/grpc-js';
import { fromServiceError, toServiceError } from './errors.js';

/** The request type of a generated unary client method (read off its last overload). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any is what makes overload inference work
type UnaryRequest<F> = F extends (argument: infer A, callback: grpc.requestCallback<any>) => grpc.ClientUnaryCall ? A : never;
/** The response type of a generated unary client method. */
type UnaryResponse<F> = F extends (argument: any, callback: grpc.requestCallback<infer R>) => grpc.ClientUnaryCall ? R : never;

export interface CallOptions {
  /** Deadline of the call, milliseconds from now. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Names the peer in error messages, e.g. "JobManager at 127.0.0.1:6123". */
  readonly target: string;
}

/**
 * Calls a unary method with a deadline; resolves with the response or rejects
 * with a RivuletError (never a raw grpc ServiceError).
 */
export function callUnary<C extends grpc.Client, K extends keyof C & string>(
  client: C,
  method: K,
  request: UnaryRequest<C[K]>,
  options: CallOptions,
): Promise<UnaryResponse<C[K]>> {
  return new Promise((resolve, reject) => {
    const invoke = client[method] as unknown as (
      request: unknown,
      metadata: grpc.Metadata,
      callOptions: grpc.CallOptions,
      callback: grpc.requestCallback<UnaryResponse<C[K]>>,
    ) => grpc.ClientUnaryCall;
    const call = invoke.call(
      client,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + options.timeoutMs },
      (err, response) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(fromServiceError(err, options.target));
        else resolve(response as UnaryResponse<C[K]>);
      },
    );
    const onAbort = (): void => call.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Server side: wraps an async handler so that every outcome, including a
 * thrown error, answers the call exactly once and nothing is left unhandled.
 */
export function unaryHandler<Req, Res>(
  handler: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => callback(null, response),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

/** Formats host:port, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
