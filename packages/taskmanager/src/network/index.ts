/**
 * The TaskManager network stack: result partitions, input gates, and the
 * data connections between TaskManagers (see docs/network.md).
 */
export * from './network-api.js';
export { createNetworkEnvironment, TcpNetworkEnvironment } from './tcp-network-environment.js';
export { NETWORK_DEFAULTS, resolveNetworkOptions, type NetworkEnvironmentOptions, type ResolvedNetworkOptions } from './options.js';
export type { NetworkStats } from './stats.js';
export {
  DataConnectionError,
  PartitionReleasedError,
  PartitionRequestError,
  type PartitionRequestFailure,
  ProtocolError,
  RemoteChannelError,
  UnserializableRecordError,
} from './errors.js';
export { recordBatchCodec } from './record-serializer.js';
