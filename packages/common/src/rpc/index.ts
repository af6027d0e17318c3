export { callUnary, hostPort, unaryHandler, type CallOptions } from './calls.js';
export { callUnaryWithRetry, type RetryingCallOptions } from './retrying-call.js';
export { fromServiceError, toServiceError } from './errors.js';
export { CHANNEL_OPTIONS, rivuletProto, type RivuletProto } from './proto.js';
export { bindServer, createServer, shutdownServer, updateServerTls, type GrpcListenOptions, type GrpcServerTls } from './server.js';
export { GrpcConnectionGuard } from './connection-guard.js';
export * as pb from './messages.js';
