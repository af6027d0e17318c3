/**
 * `@rivulet/common/client`: what the `rivulet` CLI needs to read its
 * configuration and talk to a cluster, without what only daemons need (the
 * HTTP server, metrics, checkpoint storage with the AWS SDK, the HA election)
 * and with the etcd client loaded only when the configuration names etcd.
 * Every `rivulet` command pays for what it imports, and the tests and users
 * run it often: `rivulet list` loaded the whole of `@rivulet/common` (and
 * both daemons) in ~2 s of CPU before (docs/cli.md, "Start-up").
 */
export * from './errors.js';
export { RIVULET_VERSION } from './version.js';
export * from './config/index.js';
export { callUnary, hostPort, type CallOptions } from './rpc/calls.js';
export { CHANNEL_OPTIONS, rivuletProto, type RivuletProto } from './rpc/proto.js';
export * as pb from './rpc/messages.js';
export { BearerToken } from './security/bearer-token.js';
export { clientSecurity, type ClientSecurity } from './security/cluster-security.js';
export { grpcChannelCredentials, grpcChannelOptions } from './security/grpc-client-security.js';
export { isTerminalJobStatus } from './jobs/job-status.js';
export { sleep } from './time/abortable.js';
export { DAEMON_MAX_SEMI_SPACE_MB, DAEMON_NODE_FLAGS } from './lifecycle/daemon-node-flags.js';
export { findLeader, listJobManagers } from './highavailability/etcd/find-leader-on-demand.js';
export type { ElectedLeader, LeaderRecord } from './highavailability/etcd/leader-record.js';
