import type * as grpc from '@grpc/grpc-js';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import {
  ConfigurationError,
  RIVULET_VERSION,
  ServiceLifecycle,
  EtcdLeaderRetrievalService,
  StandaloneLeaderRetrievalService,
  bindServer,
  createHttpServer,
  createMetricsRegistry,
  createServer,
  daemonSecurity,
  hostPort,
  listenHttp,
  newTaskManagerId,
  rivuletProto,
  rpcSecurity,
  SecurityMetrics,
  shutdownServer,
  storageIdentity,
  type Configuration,
  type DaemonSecurity,
  type GrpcListenOptions,
  type Logger,
  type Registry,
} from '@rivulet/common';
import { LeaderSessionGuard } from './fencing/leader-session-guard.js';
import { TaskManagerMetrics } from './metrics.js';
import { JobManagerConnection } from './registration/jobmanager-connection.js';
import { taskManagerServiceHandlers } from './rpc/taskmanager-service.js';
import { SlotTable } from './slots/slot-table.js';
import { slotThreadEntry } from './slots/slot-thread.js';
import { tuneJitForSlotThreads } from './slots/slot-thread-jit.js';
import { defaultYoungGenerationForSlotThreads } from './slots/slot-thread-young-generation.js';
import { createNetworkEnvironment } from '../network/index.js';
import { registerNetworkMetrics } from './network-metrics.js';
import type { NetworkEnvironment } from '../network/network-api.js';
import { TaskExecutor } from './tasks/task-executor.js';
import { createLocalStateStore, type TaskLocalStateStore } from './local-state/local-state-store.js';
import { JobBundles } from './tasks/job-bundles.js';
import { SlotThreads } from './tasks/slot-threads.js';
import { GrpcCheckpointResponder } from './tasks/checkpoint-responder.js';
import { OperatorEventSender } from './tasks/operator-event-sender.js';
import { TaskStateReporter } from './tasks/task-state-reporter.js';
import { TaskMetrics } from './task-metrics.js';
import { ResourceHistory } from './status/resource-history.js';
import { registerStatusRoute } from './status/status-route.js';
import { NETWORK_DEFAULTS } from '../network/options.js';
import type { DebloatSettings } from '../slot/exchange/buffer-debloater.js';
import { TASK_MANAGER_RPC_SURFACES } from './security/rpc-surfaces.js';

/** Heap limit of each slot's thread when taskmanager.memory.task.heap.size is unset. */
const DEFAULT_SLOT_HEAP_MB = 1024;
/** Batches of one input channel handed to a slot's thread before it took them. */
const SLOT_GATE_CREDIT = 2;

/** Without taskmanager.host: the bind host, or the hostname when binding every interface. */
function advertisedHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' ? hostname() : bindHost;
}

/** How this host's slot threads reach the TaskManager's own data port. */
function loopbackFor(bindHost: string): string {
  if (bindHost === '0.0.0.0') return '127.0.0.1';
  if (bindHost === '::') return '::1';
  return bindHost;
}

export interface TaskManagerStarted {
  readonly resourceId: string;
  readonly rpcPort: number;
  readonly httpPort: number;
}

/**
 * The TaskManager daemon: offers its slots to the leading JobManager, keeps
 * registered through JobManager restarts and failovers, serves
 * TaskManagerService (fenced by leader session) and /metrics, /healthz.
 */
export class TaskManager {
  private readonly lifecycle: ServiceLifecycle;
  private readonly metricsRegistry: Registry;
  private readonly metrics: TaskManagerMetrics;
  private readonly slots: SlotTable;
  private readonly guard = new LeaderSessionGuard();
  private readonly grpcServer: grpc.Server;
  private readonly http: FastifyInstance;
  private connection: JobManagerConnection | undefined;
  private network: NetworkEnvironment | undefined;
  private executor: TaskExecutor | undefined;
  private threads: SlotThreads | undefined;
  private bundles: JobBundles | undefined;
  private localState: TaskLocalStateStore | undefined;
  private readonly taskMetrics: TaskMetrics;
  /** This TaskManager's resources over the last minutes, for `GET /status` (the dashboard). */
  private readonly resources: ResourceHistory;
  /** This process's folder for job bundles; removed when the TaskManager stops. */
  private workDir: string | undefined;
  private resourceId: string | undefined;
  private readonly security: DaemonSecurity;
  private readonly rpcListen: GrpcListenOptions;

  constructor(
    private readonly config: Configuration,
    private readonly log: Logger,
    /** A refusal for good by the JobManager (a misconfiguration): the daemon runner stops the process. */
    private readonly onFatalError?: (err: Error) => void,
  ) {
    this.lifecycle = new ServiceLifecycle('TaskManager', log);
    // Job bundles carry inline source maps: user stack traces name the job's source lines.
    process.setSourceMapsEnabled(true);
    this.metricsRegistry = createMetricsRegistry('taskmanager');
    this.slots = new SlotTable(config['taskmanager.numberOfTaskSlots']);
    this.metrics = new TaskManagerMetrics(this.metricsRegistry, () => this.slots.free());
    registerNetworkMetrics(this.metricsRegistry, () => this.threads?.totalNetworkStats(this.network?.stats()));
    this.taskMetrics = new TaskMetrics(this.metricsRegistry);
    this.metrics.slotsTotal.set(this.slots.size);
    // Security first: a bad certificate file fails the start before anything listens (docs/security.md).
    this.security = daemonSecurity(config);
    const securityMetrics = new SecurityMetrics(this.metricsRegistry, 'taskmanager');
    const rpc = rpcSecurity(this.security, TASK_MANAGER_RPC_SURFACES, securityMetrics, log, config['rpc.idleness-timeout']);
    this.rpcListen = rpc.listen;
    this.grpcServer = createServer({ interceptors: rpc.interceptors, maxMessageBytes: config['pekko.framesize'] });
    this.grpcServer.addService(
      rivuletProto().TaskManagerService.service,
      taskManagerServiceHandlers({ guard: this.guard, slots: this.slots, executor: () => this.executor, log }),
    );
    this.http = createHttpServer({
      log,
      metrics: this.metricsRegistry,
      health: () => ({
        healthy: this.lifecycle.state === 'RUNNING',
        details: { registered: this.connection?.registered ?? false },
      }),
      // Ready while registered with the leader: a rollout waits for a new TaskManager to offer its slots.
      readiness: () => ({
        ready: this.lifecycle.state === 'RUNNING' && (this.connection?.registered ?? false),
        details: { registered: this.connection?.registered ?? false },
      }),
      limits: { maxBodyBytes: config['rest.server.max-content-length'], idleTimeoutMs: config['rest.idleness-timeout'] },
      onRefused: (reason) => securityMetrics.count('http', reason),
    });
    this.resources = new ResourceHistory(this.metricsRegistry);
    registerStatusRoute(this.http, { resourceId: () => this.resourceId, tasks: this.taskMetrics.samples, resources: this.resources });
  }

  async start(): Promise<TaskManagerStarted> {
    // Before any port is bound: a workspace built without the slot thread bundle cannot run a task.
    slotThreadEntry();
    const bindHost = this.config['taskmanager.bind-host'];
    const host = this.config['taskmanager.host'] ?? advertisedHost(bindHost);
    const rpcPort = await bindServer(this.grpcServer, bindHost, this.config['taskmanager.rpc.port'], this.rpcListen);
    const httpPort = await listenHttp(this.http, bindHost, this.config['taskmanager.http.port']);
    const resourceId = this.config['taskmanager.resource-id'] ?? newTaskManagerId(host, rpcPort);
    this.resourceId = resourceId;
    const network = createNetworkEnvironment({
      log: this.log.child({ component: 'network' }),
      resourceId,
      bufferSizeBytes: this.config['taskmanager.network.buffer-size'],
      bufferTimeoutMs: this.config['execution.buffer-timeout'],
      tls: this.security.internalTls,
      frameTimeoutMs: this.config['taskmanager.network.frame-timeout'],
    });
    this.network = network;
    const dataPort = await network.start(bindHost, this.config['taskmanager.data.port']);
    this.connection = new JobManagerConnection({
      // high-availability.type etcd: follow the leader published in etcd; none: the configured address.
      retrieval: this.config['high-availability.type'] === 'etcd'
        ? new EtcdLeaderRetrievalService(this.config, { logger: this.log })
        : new StandaloneLeaderRetrievalService({
          rpcAddress: hostPort(this.config['jobmanager.rpc.address'], this.config['jobmanager.rpc.port']),
        }),
      registration: {
        resourceId,
        rpcEndpoint: { host, port: rpcPort },
        dataEndpoint: { host, port: dataPort },
        httpEndpoint: { host, port: httpPort },
        numberOfSlots: this.slots.size,
        version: RIVULET_VERSION,
        // The JobManager compares it with its own and refuses a TaskManager that writes state elsewhere.
        checkpointDir: storageIdentity(this.config['execution.checkpointing.dir']),
      },
      slots: this.slots,
      runningTasks: () => this.executor?.taskReport() ?? [],
      guard: this.guard,
      initialBackoffMs: this.config['cluster.registration.initial-timeout'],
      maxBackoffMs: this.config['cluster.registration.max-timeout'],
      metrics: this.metrics,
      log: this.log,
      tls: this.security.internalTls,
      ...(this.onFatalError ? { onFatalError: this.onFatalError } : {}),
    });
    this.workDir = join(this.config['taskmanager.tmp.dirs'] ?? tmpdir(), `rivulet-taskmanager-${process.pid}`);
    const localState = await createLocalStateStore(this.config, resourceId, this.log);
    this.localState = localState;
    this.bundles = new JobBundles(this.connection, join(this.workDir, 'jobs'));
    const heapTotalMb = this.config['taskmanager.memory.task.heap.size'];
    const heapLimitMb = heapTotalMb === null ? DEFAULT_SLOT_HEAP_MB : Math.max(16, Math.floor(heapTotalMb / this.slots.size));
    const { options } = network;
    tuneJitForSlotThreads();
    defaultYoungGenerationForSlotThreads();
    let executor: TaskExecutor | undefined;
    const threads = new SlotThreads({
      resourceId,
      config: this.config,
      network,
      networkSettings: {
        bufferSizeBytes: options.bufferSizeBytes,
        bufferTimeoutMs: options.bufferTimeoutMs,
        maxRecordsPerBuffer: options.maxRecordsPerBuffer,
        maxQueuedBuffers: options.maxQueuedBuffersPerSubpartition,
        maxFrameBytes: options.maxFrameBytes ?? NETWORK_DEFAULTS.maxFrameBytes,
        gateCredit: SLOT_GATE_CREDIT,
        initialCredit: options.initialCredit,
        partitionRequestTimeoutMs: options.partitionRequestTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        frameTimeoutMs: options.frameTimeoutMs,
        bindHost,
        taskManagerData: { host: loopbackFor(bindHost), port: dataPort },
        tls: this.security.internalTls,
        debloat: debloatSettings(this.config, options.maxQueuedBuffersPerSubpartition + options.initialCredit + SLOT_GATE_CREDIT),
      },
      heapLimitMb,
      responder: new GrpcCheckpointResponder(this.connection, this.log),
      operatorEvents: new OperatorEventSender(this.connection, (attemptId, reason) => executor?.failOnUndeliverableEvent(attemptId, reason), this.log),
      descriptorOf: (attemptId) => executor?.descriptorOf(attemptId),
      localState,
      metrics: this.taskMetrics,
      log: this.log,
    });
    executor = new TaskExecutor(threads, this.bundles, this.slots, new TaskStateReporter(this.connection, this.log), localState, {
      cancellationTimeoutMs: this.config['task.cancellation.timeout'],
      cancellationIntervalMs: this.config['task.cancellation.interval'],
    }, this.log);
    this.executor = executor;
    this.threads = threads;
    threads.prestart(this.slots.size);
    this.resources.start();
    this.lifecycle.transition('RUNNING');
    await this.connection.start();
    this.log.info(
      { resourceId, rpcPort, dataPort, httpPort, slots: this.slots.size, rpcAddress: hostPort(host, rpcPort) },
      'TaskManager running',
    );
    return { resourceId, rpcPort, httpPort };
  }

  get state(): string {
    return this.lifecycle.state;
  }

  /**
   * Graceful stop (SIGTERM): first tells the JobManager this TaskManager
   * leaves, so it fails the tasks over to other slots at once and records a
   * graceful shutdown as the cause; only then cancels the tasks here (their
   * peers elsewhere are already being cancelled by the JobManager, and a task
   * cancelled here commits nothing more), closes the data connections and
   * the servers. `reason` goes to the exception history of the jobs it ran.
   */
  async stop(reason?: string): Promise<void> {
    if (this.lifecycle.state === 'STOPPING' || this.lifecycle.state === 'STOPPED') return;
    this.lifecycle.transition('STOPPING');
    // Set together in start(): a connection implies a resource id.
    await this.connection?.stop(reason ?? `TaskManager ${this.resourceId ?? ''} is shutting down gracefully`);
    const graceMs = Math.min(2000, this.config['cluster.services.shutdown-timeout']);
    await this.executor?.stopAll(graceMs);
    await this.network?.stop();
    await this.localState?.close();
    await this.bundles?.releaseAll();
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true }).catch(() => undefined);
    await Promise.all([shutdownServer(this.grpcServer, graceMs), this.http.close()]);
    this.metrics.close();
    this.resources.stop();
    this.lifecycle.transition('STOPPED');
  }
}

/**
 * Buffer debloating of the channels a slot sends through the control thread
 * (slot/exchange/buffer-debloater.ts), or undefined when it is off.
 * `inFlightBatches`: queued in this TaskManager, granted by the consumer's
 * network credit, and handed to the consumer's slot.
 */
function debloatSettings(config: Configuration, inFlightBatches: number): DebloatSettings | undefined {
  if (!config['taskmanager.network.memory.buffer-debloat.enabled']) return undefined;
  const bufferSize = config['taskmanager.network.buffer-size'];
  const minBytes = config['taskmanager.memory.min-segment-size'];
  const maxBytes = config['taskmanager.network.memory.buffer-debloat.max-buffer-size'] ?? 4 * bufferSize;
  if (minBytes > bufferSize || maxBytes < bufferSize) {
    throw new ConfigurationError(
      `buffer debloating needs taskmanager.memory.min-segment-size (${minBytes}) <= taskmanager.network.buffer-size (${bufferSize}) <= taskmanager.network.memory.buffer-debloat.max-buffer-size (${maxBytes})`,
      { key: minBytes > bufferSize ? 'taskmanager.memory.min-segment-size' : 'taskmanager.network.memory.buffer-debloat.max-buffer-size' },
    );
  }
  return {
    targetMs: config['taskmanager.network.memory.buffer-debloat.target'],
    periodMs: config['taskmanager.network.memory.buffer-debloat.period'],
    inFlightBatches,
    min: minBytes,
    max: maxBytes,
    initial: bufferSize,
  };
}
