import type * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import {
  Backoff,
  CHANNEL_OPTIONS,
  callUnary,
  errorMessage,
  grpcChannelCredentials,
  grpcChannelOptions,
  RivuletError,
  rivuletProto,
  sleep,
  type LeaderAddress,
  type LeaderRetrievalService,
  type LeaderSessionId,
  type Logger,
  type pb,
  type TlsMaterial,
} from '@rivulet/common';
import type { LeaderSessionGuard } from '../fencing/leader-session-guard.js';
import type { TaskManagerMetrics } from '../metrics.js';
import type { SlotTable } from '../slots/slot-table.js';
import { runHeartbeatStream } from './heartbeat-stream.js';

export interface JobManagerConnectionOptions {
  readonly retrieval: LeaderRetrievalService;
  readonly registration: Omit<pb.RegisterTaskManagerRequest, 'slots' | 'tasks'>;
  readonly slots: SlotTable;
  /** The tasks running here, reported with every registration (a new leader adopts them). */
  readonly runningTasks?: () => pb.RunningTask[];
  readonly guard: LeaderSessionGuard;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly metrics: TaskManagerMetrics;
  readonly log: Logger;
  /** Internal TLS: this TaskManager presents its certificate and verifies the JobManager's. Undefined: plaintext. */
  readonly tls?: TlsMaterial | undefined;
  /** Called when the JobManager refuses this TaskManager for good (a misconfiguration): the daemon stops and exits 1. */
  readonly onFatalError?: (err: Error) => void;
}

export interface Registered {
  readonly registrationId: string;
  readonly client: pb.JobManagerServiceClient;
  readonly target: string;
}

export interface JobManagerConnectionEvents {
  registered: [string];
  disconnected: [string];
}

/**
 * Keeps this TaskManager registered with the current leader: registers with
 * retry and exponential backoff, keeps the heartbeat stream up, and when the
 * leader goes away (stream broken, leader silent, leader address changed)
 * registers again — with the same leader after a restart or with a new one.
 * Retries forever until `stop()`.
 */
export class JobManagerConnection extends EventEmitter<JobManagerConnectionEvents> {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private leader: LeaderAddress | null = null;
  /** Aborted (and replaced) whenever the leader's address changes. */
  private leaderChange = new AbortController();
  private client: { address: string; client: pb.JobManagerServiceClient } | undefined;
  private current: Registered | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: JobManagerConnectionOptions) {
    super();
    this.backoff = new Backoff(options.initialBackoffMs, options.maxBackoffMs);
  }

  get registered(): boolean {
    return this.current !== undefined;
  }

  /** The current registration (client, id) with the leader, if registered. */
  get registration(): Registered | undefined {
    return this.current;
  }

  /** Resolves with the registration once registered (or rejects on `signal`). */
  async whenRegistered(signal?: AbortSignal): Promise<Registered> {
    while (!this.current) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.once('registered', () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    return this.current;
  }

  async start(): Promise<void> {
    await this.options.retrieval.start((leader) => {
      const changed = leader?.rpcAddress !== this.leader?.rpcAddress;
      this.leader = leader;
      if (changed) {
        const previous = this.leaderChange;
        this.leaderChange = new AbortController();
        previous.abort(new Error('the leader changed'));
      }
    });
    this.loop = this.run();
  }

  /**
   * Tells the JobManager this TaskManager is leaving (it fails the tasks
   * over at once and frees the slots), then stops retrying and closes the
   * heartbeat stream. Call it before cancelling the tasks, so the
   * JobManager, not a peer's broken input, reports why they stopped.
   */
  async stop(reason: string): Promise<void> {
    // Registered, or a registration in flight whose answer is not read yet (the
    // JobManager may count this TaskManager already): either way, say goodbye.
    const current = this.current ?? (this.client && this.leader?.rpcAddress === this.client.address
      ? { registrationId: '', client: this.client.client, target: `JobManager at ${this.client.address}` }
      : undefined);
    if (current) await this.announceLeaving(current, reason);
    this.abort.abort(new Error('stopping'));
    await this.loop;
    await this.options.retrieval.stop();
    this.client?.client.close();
    this.client = undefined;
  }

  /**
   * DisconnectTaskManager, bounded by 3 s: the JobManager acts when the call
   * arrives, but the answer waits for this event loop, which the tasks still
   * running here keep busy (1 s was measured too short under load). A
   * JobManager that does not answer learns of the stop from the broken stream.
   */
  private async announceLeaving(current: Registered, reason: string): Promise<void> {
    const resourceId = this.options.registration.resourceId;
    try {
      await callUnary(
        current.client,
        'DisconnectTaskManager',
        { registrationId: current.registrationId, resourceId, reason },
        { timeoutMs: 3000, target: current.target },
      );
      this.options.log.info({ registrationId: current.registrationId, reason }, 'told the JobManager this TaskManager leaves');
    } catch (err) {
      this.options.log.warn({ err: errorMessage(err) }, 'could not tell the JobManager we are leaving');
    }
  }

  private async run(): Promise<void> {
    const { log, metrics } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const leader = await this.waitForLeader(signal);
      if (!leader) break;
      // A new leader ends this attempt at once: the registration in flight to
      // the old address, the heartbeats, or the backoff sleep after a failure.
      const untilLeaderChanges = AbortSignal.any([signal, this.leaderChange.signal]);
      const target = `JobManager at ${leader.rpcAddress}`;
      const client = this.clientFor(leader.rpcAddress);
      try {
        const response = await callUnary(
          client,
          'RegisterTaskManager',
          { ...this.options.registration, slots: this.options.slots.report(), tasks: this.options.runningTasks?.() ?? [] },
          { timeoutMs: 2000, signal: untilLeaderChanges, target },
        );
        const session = response.leader;
        if (session) this.options.guard.observe({ sessionId: session.sessionId as LeaderSessionId, epoch: session.epoch });
        this.current = { registrationId: response.registrationId, client, target };
        this.backoff.reset();
        metrics.registered.set(1);
        metrics.registrations.inc();
        log.info({ jobManager: leader.rpcAddress, registrationId: response.registrationId }, 'registered with JobManager');
        this.emit('registered', response.registrationId);
        const ended = await this.heartbeatUntilLost(client, response, untilLeaderChanges);
        this.current = undefined;
        metrics.registered.set(0);
        if (signal.aborted) break;
        metrics.jobManagerConnectionsLost.inc({ reason: ended.reason });
        log.warn({ jobManager: leader.rpcAddress, reason: ended.reason, detail: ended.detail }, 'lost the JobManager; registering again');
        this.emit('disconnected', ended.reason);
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof RivuletError && err.code === 'CONFIG_INVALID') {
          // Refused for a misconfiguration (execution.checkpointing.dir): retrying cannot help, the daemon stops.
          log.fatal({ jobManager: leader.rpcAddress, err: errorMessage(err) }, 'the JobManager refused this TaskManager');
          this.options.onFatalError?.(err);
          break;
        }
        if (!untilLeaderChanges.aborted) {
          log.warn({ jobManager: leader.rpcAddress, err: errorMessage(err) }, 'registration with JobManager failed; retrying');
        }
      }
      if (untilLeaderChanges.aborted) {
        // Register with the new leader now: the backoff was for the old one.
        this.backoff.reset();
        continue;
      }
      await sleep(this.backoff.next(), untilLeaderChanges).catch(() => undefined);
      if (!signal.aborted && untilLeaderChanges.aborted) this.backoff.reset();
    }
  }

  private heartbeatUntilLost(client: pb.JobManagerServiceClient, response: pb.RegisterTaskManagerResponse__Output, untilLeaderChanges: AbortSignal) {
    const stream: grpc.ClientDuplexStream<pb.TaskManagerHeartbeat, pb.JobManagerHeartbeat__Output> = client.Heartbeat();
    return runHeartbeatStream({
      stream,
      registrationId: response.registrationId,
      intervalMs: Number(response.heartbeatIntervalMs) || 1000,
      timeoutMs: Number(response.heartbeatTimeoutMs) || 5000,
      slots: () => this.options.slots.report(),
      onLeaderHeartbeat: (session) => this.options.guard.observe(session),
      onSendDelay: (delayMs) => this.options.metrics.observeHeartbeatSendDelay(delayMs),
      signals: [untilLeaderChanges],
    });
  }

  private async waitForLeader(signal: AbortSignal): Promise<LeaderAddress | null> {
    while (!this.leader && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const waitFor = AbortSignal.any([signal, this.leaderChange.signal]);
        if (waitFor.aborted) resolve();
        else waitFor.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return signal.aborted ? null : this.leader;
  }

  private clientFor(address: string): pb.JobManagerServiceClient {
    if (this.client?.address === address) return this.client.client;
    this.client?.client.close();
    const client = new (rivuletProto().JobManagerService)(address, grpcChannelCredentials(this.options.tls), grpcChannelOptions(CHANNEL_OPTIONS, this.options.tls));
    this.client = { address, client };
    return client;
  }
}
