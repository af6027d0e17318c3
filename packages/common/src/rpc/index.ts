export { callUnary, hostPort, unaryHandler, type CallOptions } from './calls.js';
export { callUnaryWithRetry, type RetryingCallOptions } from './retrying-call.js';
export { fromServiceError, toServiceError } from './errors.js';
export { CHANNEL_OPTIONS, rivuletProto, type RivuletProto } from './proto.js';
export { bindServer, createServer, shutdownServer, updateServerTls, type GrpcServerTls } from './server.js';
export * as pb from './messages.js';
