export { BearerToken } from './bearer-token.js';
export { authorizeCall, type AuthorizationSettings, type CallCredentials, type CallSurface, type ReadOnlyAccess, type Refusal } from './call-authorization.js';
export { clientSecurity, daemonSecurity, restTls, type ClientSecurity, type DaemonSecurity, type RestTls } from './cluster-security.js';
export { grpcAuthorizationInterceptor, type GrpcAuthorizationOptions } from './grpc-authorization.js';
export { grpcChannelCredentials, grpcChannelOptions, INTERNAL_TLS_SERVER_NAME } from './grpc-client-security.js';
export { SecurityMetrics, type RefusalPort, type RefusalReason } from './security-metrics.js';
export { certificatesOf, readTlsMaterial, signedBy, type TlsFiles, type TlsMaterial } from './tls-material.js';
export { rpcSecurity } from './rpc-security.js';
export { etcdCredentials, type EtcdCredentials, type EtcdTlsSettings } from './etcd-tls.js';
