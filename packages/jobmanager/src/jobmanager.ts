import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import {
  EtcdLeaderElectionService,
  StandaloneLeaderElectionService,
  createEtcdClient,
  ServiceLifecycle,
  bindServer,
  createHttpServer,
  createMetricsRegistry,
  createCheckpointStorage,
  createServer,
  daemonSecurity,
  hostPort,
  restTls,
  rpcSecurity,
  SecurityMetrics,
  type GrpcListenOptions,
  type CheckpointStorage,
  listenHttp,
  rivuletProto,
  shutdownServer,
  storageIdentity,
  type Configuration,
  type LeaderContender,
  type LeaderElectionService,
  type LeaderSession,
  type Logger,
  type Registry,
} from '@rivulet/common';
import { BlobStore } from './blob/blob-store.js';
import { CheckpointMetrics } from './checkpoint/index.js';
import { JobMetrics } from './jobmaster/job-metrics.js';
import { EtcdJobStore, type EtcdClient } from './highavailability/index.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { JobManagerMetrics } from './metrics.js';
import { TaskManagerGateway } from './rpc/taskmanager-gateway.js';
import { HeartbeatManager } from './resourcemanager/heartbeat-manager.js';
import { TaskManagerRegistry } from './resourcemanager/task-manager-registry.js';
import { registerRestRoutes } from './rest/rest-routes.js';
import { registerDashboardRestRoutes } from './rest/dashboard-rest-routes.js';
import { electionCandidates } from './rest/election-candidates.js';
import { registerDashboardFiles } from './web/dashboard-files.js';
import { dashboardAssetsDir } from '@rivulet/dashboard';
import { jobManagerServiceHandlers } from './rpc/jobmanager-service.js';
import type { LeaderEndpoints } from './rpc/cluster-overview.js';
import { JOB_MANAGER_RPC_SURFACES } from './security/rpc-surfaces.js';
import { registerRestAuthorization } from './security/rest-authorization.js';

export interface JobManagerStarted {
  readonly rpcPort: number;
  readonly restPort: number;
}

/**
 * The JobManager daemon: gRPC server, REST server, TaskManager registry and
 * heartbeats, and (through later issues) dispatcher, scheduler and checkpoint
 * coordinator. It acts as leader only between `grantLeadership` and
 * `revokeLeadership`; outside that window it serves health and overview only.
 */
export class JobManager implements LeaderContender {
  private readonly lifecycle: ServiceLifecycle;
  private readonly metricsRegistry: Registry;
  private readonly metrics: JobManagerMetrics;
  private readonly registry: TaskManagerRegistry;
  private readonly heartbeats: HeartbeatManager;
  private readonly gateway: TaskManagerGateway;
  /** How the gRPC port listens: internal TLS (undefined: plaintext) and the connection guard. */
  private readonly rpcListen: GrpcListenOptions;
  private readonly restScheme: 'http' | 'https';
  private readonly dispatcher: Dispatcher;
  private readonly grpcServer: grpc.Server;
  private readonly http: FastifyInstance;
  private readonly election: LeaderElectionService;
  private readonly etcd: EtcdClient | undefined;
  private readonly etcdElection: EtcdLeaderElectionService | undefined;
  private session: LeaderSession | undefined;
  private endpoints: LeaderEndpoints;
  private readonly startTime = Date.now();
  /** When leadership was last granted (the dashboard's cluster uptime). */
  private leaderSince: number | undefined;

  constructor(
    private readonly config: Configuration,
    private readonly log: Logger,
  ) {
    this.lifecycle = new ServiceLifecycle('JobManager', log);
    this.metricsRegistry = createMetricsRegistry('jobmanager');
    this.metrics = new JobManagerMetrics(this.metricsRegistry, { heartbeatIntervalMs: config['heartbeat.interval'] });
    this.registry = new TaskManagerRegistry(log, this.metrics);
    const heartbeat = { intervalMs: config['heartbeat.interval'], timeoutMs: config['heartbeat.timeout'] };
    this.heartbeats = new HeartbeatManager(this.registry, heartbeat, log);
    this.endpoints = {
      rpc: { host: config['jobmanager.rpc.address'], port: config['jobmanager.rpc.port'] },
      rest: { host: config['rest.address'], port: config['rest.port'] },
    };
    // Security first: a bad certificate or token file fails the start before anything listens (docs/security.md).
    const security = daemonSecurity(config);
    const securityMetrics = new SecurityMetrics(this.metricsRegistry, 'jobmanager');
    const rpc = rpcSecurity(security, JOB_MANAGER_RPC_SURFACES, securityMetrics, log, config['rpc.idleness-timeout'], { acceptClientCertificates: true });
    const rest = restTls(config);
    this.rpcListen = rpc.listen;
    this.restScheme = rest === undefined ? 'http' : 'https';
    this.gateway = new TaskManagerGateway(security.internalTls);
    if (security.authorization.token !== undefined && security.internalTls === undefined) {
      log.warn('a client token is set but security.ssl.internal.enabled is false: the JobManager\'s internal calls (TaskManager registration, bundles) stay open to anyone who reaches its gRPC port');
    }
    const checkpointRoot = config['execution.checkpointing.dir'];
    const checkpoints = createCheckpointStorage(checkpointRoot, config, { logger: log });
    const savepointStorages = new Map<string, CheckpointStorage>();
    this.dispatcher = new Dispatcher({
      config,
      checkpointMetrics: new CheckpointMetrics(this.metricsRegistry),
      jobMetrics: new JobMetrics(this.metricsRegistry),
      storages: {
        checkpoints,
        checkpointRoot,
        savepoints: (target) => {
          let storage = savepointStorages.get(target);
          if (!storage) {
            storage = createCheckpointStorage(target, config, { key: 'savepoint directory', logger: log, entropy: false });
            savepointStorages.set(target, storage);
          }
          return storage;
        },
      },
      registry: this.registry,
      gateway: this.gateway,
      blobs: new BlobStore(checkpoints),
      metrics: this.metrics,
      session: () => this.session,
      log,
    });
    this.grpcServer = createServer({ interceptors: rpc.interceptors, maxMessageBytes: config['pekko.framesize'] });
    this.grpcServer.addService(
      rivuletProto().JobManagerService.service,
      jobManagerServiceHandlers({
        registry: this.registry,
        dispatcher: this.dispatcher,
        heartbeats: this.heartbeats,
        heartbeat,
        session: () => this.session,
        endpoints: () => this.endpoints,
        checkpointStorage: storageIdentity(checkpointRoot),
        log,
      }),
    );
    this.http = createHttpServer({
      log,
      metrics: this.metricsRegistry,
      health: () => ({ healthy: this.lifecycle.state === 'RUNNING', details: { leader: this.session !== undefined } }),
      tls: rest === undefined ? undefined : { ...rest.material, clientAuthentication: rest.clientAuthentication },
      limits: { maxBodyBytes: config['rest.server.max-content-length'], idleTimeoutMs: config['rest.idleness-timeout'] },
      onRefused: (reason) => securityMetrics.count('rest', reason),
    });
    registerRestAuthorization(this.http, { settings: security.authorization, metrics: securityMetrics, log });
    this.http.server.on('tlsClientError', () => securityMetrics.count('rest', 'tls'));
    registerRestRoutes(this.http, { registry: this.registry, dispatcher: this.dispatcher, session: () => this.session });
    if (config['high-availability.type'] === 'etcd') {
      // One etcd client for the election and the HA stores.
      this.etcd = createEtcdClient(config);
      this.etcdElection = new EtcdLeaderElectionService(config, { logger: log, client: this.etcd });
      this.election = this.etcdElection;
    } else {
      this.election = new StandaloneLeaderElectionService();
    }
    const endpoints = (): LeaderEndpoints => this.endpoints;
    registerDashboardRestRoutes(this.http, {
      registry: this.registry,
      dispatcher: this.dispatcher,
      jobManagers: {
        highAvailability: config['high-availability.type'],
        self: {
          get rpcAddress() { return hostPort(endpoints().rpc.host, endpoints().rpc.port); },
          get restAddress() { return hostPort(endpoints().rest.host, endpoints().rest.port); },
          startTime: this.startTime,
        },
        session: () => this.session,
        leaderSince: () => this.leaderSince,
        ...(this.etcd ? { election: electionCandidates(this.etcd, config) } : {}),
      },
    });
    registerDashboardFiles(this.http, dashboardAssetsDir());
  }

  async start(): Promise<JobManagerStarted> {
    const rpcPort = await bindServer(this.grpcServer, this.config['jobmanager.bind-host'], this.config['jobmanager.rpc.port'], this.rpcListen);
    const restPort = await listenHttp(this.http, this.config['rest.bind-address'], this.config['rest.port']);
    this.endpoints = {
      rpc: { host: this.config['jobmanager.rpc.address'], port: rpcPort },
      rest: { host: this.config['rest.address'], port: restPort },
    };
    this.lifecycle.transition('RUNNING');
    await this.election.start(this, {
      rpcAddress: hostPort(this.endpoints.rpc.host, rpcPort),
      restAddress: hostPort(this.endpoints.rest.host, restPort),
    });
    this.log.info(
      { rpcPort, restPort, rpcAddress: hostPort(this.endpoints.rpc.host, rpcPort), restUrl: `${this.restScheme}://${hostPort(this.endpoints.rest.host, restPort)}` },
      'JobManager running',
    );
    return { rpcPort, restPort };
  }

  grantLeadership(session: LeaderSession): void {
    this.session = session;
    this.leaderSince = Date.now();
    this.metrics.isLeader.set(1);
    this.metrics.leadershipChanges.inc();
    this.heartbeats.start(session);
    const leaderKey = this.etcdElection?.leaderKey();
    if (this.etcd && leaderKey !== undefined) {
      // Every HA write is fenced by this leadership's election key and revision.
      const fence = { key: leaderKey, createRevision: session.epoch };
      this.dispatcher.startLeading({ client: this.etcd, fence, jobStore: new EtcdJobStore({ client: this.etcd, settings: this.config, fence }) });
    } else {
      this.dispatcher.startLeading(undefined);
    }
    this.log.info({ sessionId: session.sessionId, epoch: session.epoch }, 'leadership granted');
  }

  revokeLeadership(): void {
    if (!this.session) return;
    this.log.warn({ sessionId: this.session.sessionId }, 'leadership revoked; no longer acting as leader');
    this.session = undefined;
    this.leaderSince = undefined;
    this.metrics.isLeader.set(0);
    this.dispatcher.suspendAll('this JobManager lost leadership');
    this.heartbeats.stop();
    this.registry.clear('disconnect', 'JobManager lost leadership');
  }

  get state(): string {
    return this.lifecycle.state;
  }

  /**
   * Graceful stop (SIGTERM). The election goes first: `election.stop()`
   * revokes leadership synchronously (`revokeLeadership`: jobs SUSPENDED —
   * their tasks not cancelled, their HA records and checkpoints kept — and
   * the TaskManager registrations dropped), then resigns (with etcd: revokes
   * the lease, deleting the leader key), so a standby leads at once and
   * adopts the running tasks instead of waiting for the lease TTL. Only then
   * are etcd and the servers closed. Nothing on this path cancels a task or
   * marks a stored job ended.
   */
  async stop(): Promise<void> {
    if (this.lifecycle.state === 'STOPPING' || this.lifecycle.state === 'STOPPED') return;
    this.lifecycle.transition('STOPPING');
    await this.election.stop();
    this.etcd?.close();
    const graceMs = Math.min(2000, this.config['cluster.services.shutdown-timeout']);
    await Promise.all([shutdownServer(this.grpcServer, graceMs), this.http.close()]);
    this.gateway.close();
    this.dispatcher.close();
    this.lifecycle.transition('STOPPED');
  }
}
