import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType as JobManagerProto } from '../generated/jobmanager.js';
import type { ProtoGrpcType as TaskManagerProto } from '../generated/taskmanager.js';

/**
 * Loads proto/rivulet/v1 once per process. The options here must match the
 * flags of scripts/generate-proto-types.mjs, which generates the types.
 */
const PROTO_ROOT = fileURLToPath(new URL('../../../../../proto/', import.meta.url));

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export type RivuletProto = JobManagerProto['rivulet']['v1'] & TaskManagerProto['rivulet']['v1'];

let loaded: RivuletProto | undefined;

export function rivuletProto(): RivuletProto {
  if (!loaded) {
    const definition = protoLoader.loadSync(
      ['rivulet/v1/jobmanager.proto', 'rivulet/v1/taskmanager.proto'],
      LOADER_OPTIONS,
    );
    const root = grpc.loadPackageDefinition(definition) as unknown as JobManagerProto & TaskManagerProto;
    loaded = root.rivulet.v1;
  }
  return loaded;
}

/** Channel options shared by every client and server. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 256 * 1024 * 1024,
  'grpc.max_send_message_length': 256 * 1024 * 1024,
  // Reconnect quickly after a peer restarts; the callers own their own retries.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
};
