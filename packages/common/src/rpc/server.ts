import * as grpc from '@grpc/grpc-js';
import { hostPort } from './calls.js';
import { CHANNEL_OPTIONS } from './proto.js';

/** Binds a gRPC server; port 0 binds any free port. Resolves with the bound port. */
export function bindServer(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(hostPort(host, port), grpc.ServerCredentials.createInsecure(), (err, boundPort) => {
      if (err) reject(new Error(`cannot bind gRPC server to ${hostPort(host, port)}: ${err.message}`));
      else resolve(boundPort);
    });
  });
}

export function createServer(): grpc.Server {
  return new grpc.Server(CHANNEL_OPTIONS);
}

/** Graceful shutdown, forced after `graceMs`. */
export function shutdownServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
