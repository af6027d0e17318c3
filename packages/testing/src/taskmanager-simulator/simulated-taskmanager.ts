import * as grpc from '@grpc/grpc-js';
import {
  bindServer,
  callUnary,
  createServer,
  errorMessage,
  RivuletError,
  rivuletProto,
  SUBTASK_STATE_FORMAT,
  unaryHandler,
  type pb,
} from '@rivulet/common';
import type { SimulatedTask, TaskEvents } from './simulated-task.js';

/** What a simulated TaskManager is told at start; everything else it learns from the JobManager. */
export interface SimulatedTaskManagerOptions {
  readonly resourceId: string;
  readonly slots: number;
  /** The JobManager's gRPC address (host:port). */
  readonly jobManager: string;
  /** One client for the whole process (grpc-js would share its connection anyway). */
  readonly client: pb.JobManagerServiceClient;
  /** Bytes of keyed state each task reports per checkpoint (a handle per key group, no bytes written). */
  readonly stateBytesPerTask: number;
  readonly events: TaskEvents;
}

interface Registration {
  readonly registrationId: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

/**
 * One TaskManager as the JobManager sees it: its own gRPC server on its own
 * port, registration with its resource id and slots, a heartbeat stream, and
 * the TaskManager service (deploy, cancel, trigger, notify, release) — the
 * real protocol from the same `.proto` — without running anything. Tasks
 * report INITIALIZING and RUNNING as soon as they are deployed; a checkpoint
 * trigger of a source is acknowledged at once by every task of the job this
 * process hosts (`TaskEvents`: barriers take no time to flow), with a handle
 * per key group of the task's groups pointing at no real file.
 *
 * `kill()` is a crash: the server stops and heartbeats end without a word to
 * the JobManager, which must notice by heartbeat timeout.
 */
export class SimulatedTaskManager {
  private readonly server: grpc.Server = createServer();
  private readonly tasks = new Map<string, SimulatedTask>();
  private readonly slotJobs: (string | undefined)[];
  private readonly slotAllocations: (string | undefined)[];
  private registration: Registration | undefined;
  private heartbeats: grpc.ClientDuplexStream<pb.TaskManagerHeartbeat, pb.JobManagerHeartbeat__Output> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private leader: pb.LeaderSessionMessage__Output | undefined;
  private alive = true;
  rpcPort = 0;

  constructor(private readonly options: SimulatedTaskManagerOptions) {
    this.slotJobs = new Array<string | undefined>(options.slots).fill(undefined);
    this.slotAllocations = new Array<string | undefined>(options.slots).fill(undefined);
  }

  get resourceId(): string {
    return this.options.resourceId;
  }

  get taskCount(): number {
    return this.tasks.size;
  }

  /** Listens on a free port of 127.0.0.1 and registers. */
  async start(): Promise<void> {
    this.server.addService(rivuletProto().TaskManagerService.service, this.handlers());
    this.rpcPort = await bindServer(this.server, '127.0.0.1', 0);
    await this.register();
  }

  /** A crash: no goodbye, no more heartbeats, the port closes. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.stopHeartbeats();
    this.server.forceShutdown();
    for (const task of this.tasks.values()) this.options.events.forget(task);
    this.tasks.clear();
  }

  /** Every task of `jobId` here ended its input: the JobManager takes the final checkpoint, then they finish. */
  endData(jobId: string): void {
    for (const task of this.tasks.values()) {
      if (task.jobId !== jobId || task.state !== 'RUNNING' || task.endOfData) continue;
      task.endOfData = true;
      this.report(task, { state: 'RUNNING', endOfData: true });
    }
  }

  /** Checkpoint `checkpointId` of `jobId` reached this process: every running task of the job here acknowledges it. */
  acknowledgeAll(jobId: string, checkpointId: number): void {
    for (const task of this.tasks.values()) {
      if (task.jobId === jobId && task.state === 'RUNNING') this.acknowledge(task, checkpointId);
    }
  }

  private async register(): Promise<void> {
    const { client, resourceId, slots } = this.options;
    while (this.alive) {
      try {
        const response = await callUnary(client, 'RegisterTaskManager', {
          resourceId,
          rpcEndpoint: { host: '127.0.0.1', port: this.rpcPort },
          dataEndpoint: { host: '127.0.0.1', port: this.rpcPort },
          httpEndpoint: { host: '127.0.0.1', port: 0 },
          numberOfSlots: slots,
          slots: this.slotReport(),
          version: 'simulated',
          tasks: [],
        }, { timeoutMs: 10_000, target: `JobManager at ${this.options.jobManager}` });
        this.leader = response.leader ?? undefined;
        this.registration = {
          registrationId: response.registrationId,
          heartbeatIntervalMs: Number(response.heartbeatIntervalMs),
          heartbeatTimeoutMs: Number(response.heartbeatTimeoutMs),
        };
        this.startHeartbeats(this.registration);
        return;
      } catch (err) {
        if (!this.alive) return;
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
        if (err instanceof RivuletError && err.code === 'CONFIG_INVALID') throw err;
      }
    }
  }

  private startHeartbeats(registration: Registration): void {
    const stream = this.options.client.Heartbeat();
    this.heartbeats = stream;
    const send = (): void => {
      if (this.alive) stream.write({ registrationId: registration.registrationId, slots: this.slotReport() });
    };
    stream.on('data', (heartbeat: pb.JobManagerHeartbeat__Output) => {
      if (heartbeat.leader) this.leader = heartbeat.leader;
    });
    const lost = (): void => {
      if (this.heartbeats !== stream || !this.alive) return;
      this.stopHeartbeats();
      this.registration = undefined;
      void this.register();
    };
    stream.on('error', lost);
    stream.on('end', lost);
    // Spread the first beats over an interval, as TaskManagers started at different times would be.
    const first = setTimeout(() => {
      send();
      this.heartbeatTimer = setInterval(send, registration.heartbeatIntervalMs);
    }, Math.random() * registration.heartbeatIntervalMs);
    this.heartbeatTimer = first;
  }

  private stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    const stream = this.heartbeats;
    this.heartbeats = undefined;
    stream?.cancel();
  }

  private slotReport(): pb.SlotStatus[] {
    return this.slotJobs.map((jobId, index) => ({
      index,
      allocated: jobId !== undefined,
      jobId: jobId ?? '',
      allocationId: this.slotAllocations[index] ?? '',
    }));
  }

  private checkLeader(leader: pb.LeaderSessionMessage__Output | null | undefined): void {
    if (!leader) throw new RivuletError('USAGE', 'the call carries no leader session');
    if (this.leader && Number(leader.epoch) < Number(this.leader.epoch)) {
      throw new RivuletError('FENCED', `leader session epoch ${leader.epoch} is older than ${this.leader.epoch}`);
    }
    this.leader = leader;
  }

  private handlers(): pb.TaskManagerServiceHandlers {
    return {
      DeployTask: unaryHandler((request) => {
        this.checkLeader(request.leader);
        this.deploy(request);
        return {};
      }),
      CancelTask: unaryHandler((request) => {
        this.checkLeader(request.leader);
        const task = this.tasks.get(request.executionAttemptId);
        if (!task) throw new RivuletError('NOT_FOUND', `no task ${request.executionAttemptId} runs here`);
        this.end(task, 'CANCELED');
        return {};
      }),
      TriggerCheckpoint: unaryHandler((request) => {
        this.checkLeader(request.leader);
        const task = this.tasks.get(request.executionAttemptId);
        if (!task) throw new RivuletError('NOT_FOUND', `no task ${request.executionAttemptId} runs here`);
        if (request.trigger) this.options.events.checkpointTriggered(task.jobId, Number(request.checkpointId));
        return {};
      }),
      NotifyCheckpointComplete: unaryHandler((request) => {
        this.checkLeader(request.leader);
        if (request.final) {
          const current = new Set(request.executionAttemptIds);
          for (const task of [...this.tasks.values()]) {
            if (task.jobId === request.jobId && (current.size === 0 || current.has(task.attemptId))) this.end(task, 'FINISHED');
          }
        }
        return {};
      }),
      NotifyCheckpointAborted: unaryHandler((request) => {
        this.checkLeader(request.leader);
        return {};
      }),
      ReleaseSlots: unaryHandler((request) => {
        this.checkLeader(request.leader);
        const only = new Set(request.allocationIds);
        this.slotJobs.forEach((jobId, index) => {
          if (jobId !== request.jobId) return;
          if (only.size > 0 && !only.has(this.slotAllocations[index] ?? '')) return;
          for (const task of [...this.tasks.values()]) if (task.slotIndex === index) this.end(task, 'CANCELED', false);
          this.slotJobs[index] = undefined;
          this.slotAllocations[index] = undefined;
        });
        return {};
      }),
      SendOperatorEvent: unaryHandler((request) => {
        this.checkLeader(request.leader);
        if (!this.tasks.has(request.executionAttemptId)) throw new RivuletError('NOT_FOUND', `no task ${request.executionAttemptId} runs here`);
        return {};
      }),
    };
  }

  private deploy(request: pb.DeployTaskRequest__Output): void {
    let descriptor: { jobId: string; executionAttemptId: string; vertexId: string; subtaskIndex: number; inputs: unknown[]; keyGroups: number[]; operatorIds: string[] };
    try {
      descriptor = JSON.parse(Buffer.from(request.descriptor).toString('utf8')) as typeof descriptor;
    } catch (err) {
      throw new RivuletError('USAGE', `DeployTask: the task descriptor is not valid JSON: ${errorMessage(err)}`);
    }
    if (this.tasks.has(descriptor.executionAttemptId)) throw new RivuletError('ILLEGAL_STATE', `execution ${descriptor.executionAttemptId} is already deployed here`);
    const held = this.slotJobs[request.slotIndex];
    if (request.slotIndex < 0 || request.slotIndex >= this.options.slots) throw new RivuletError('USAGE', `slot ${request.slotIndex} does not exist`);
    if (held !== undefined && held !== descriptor.jobId) throw new RivuletError('ILLEGAL_STATE', `slot ${request.slotIndex} is allocated to job ${held}`);
    this.slotJobs[request.slotIndex] = descriptor.jobId;
    this.slotAllocations[request.slotIndex] = request.allocationId;
    const task: SimulatedTask = {
      jobId: descriptor.jobId,
      attemptId: descriptor.executionAttemptId,
      vertexId: descriptor.vertexId,
      subtaskIndex: descriptor.subtaskIndex,
      slotIndex: request.slotIndex,
      isSource: descriptor.inputs.length === 0,
      keyGroups: descriptor.keyGroups ?? [],
      operatorIds: descriptor.operatorIds ?? [],
      state: 'DEPLOYING',
      endOfData: false,
      owner: this,
    };
    this.tasks.set(task.attemptId, task);
    this.options.events.deployed(task);
    setImmediate(() => {
      if (this.tasks.get(task.attemptId) !== task) return;
      task.state = 'INITIALIZING';
      this.report(task, { state: 'INITIALIZING' });
      task.state = 'RUNNING';
      this.report(task, { state: 'RUNNING' });
    });
  }

  private end(task: SimulatedTask, state: 'CANCELED' | 'FINISHED', report = true): void {
    if (this.tasks.get(task.attemptId) !== task) return;
    this.tasks.delete(task.attemptId);
    this.options.events.forget(task);
    task.state = state;
    if (report) this.report(task, { state });
  }

  private acknowledge(task: SimulatedTask, checkpointId: number): void {
    const registration = this.registration;
    if (!registration || !this.alive) return;
    const operators = this.stateOf(task, checkpointId);
    void callUnary(this.options.client, 'AcknowledgeCheckpoint', {
      registrationId: registration.registrationId,
      jobId: task.jobId,
      executionAttemptId: task.attemptId,
      checkpointId,
      stateHandles: Buffer.from(JSON.stringify({ format: SUBTASK_STATE_FORMAT, operators })),
      endOfData: task.endOfData,
      alignmentDurationMs: 0,
      startDelayMs: 0,
    }, { timeoutMs: 30_000, target: 'JobManager' }).catch(() => undefined);
  }

  /** One operator with a handle per key group of the task (sizes add up to stateBytesPerTask), or none. */
  private stateOf(task: SimulatedTask, checkpointId: number): unknown[] {
    const bytes = this.options.stateBytesPerTask;
    if (bytes <= 0 || task.keyGroups.length === 0) return [];
    const per = Math.max(1, Math.floor(bytes / task.keyGroups.length));
    const path = `sim-${task.attemptId}-${checkpointId}`;
    return [{
      operatorId: task.operatorIds[0] ?? task.vertexId,
      keyedState: task.keyGroups.map((keyGroup, i) => ({ keyGroup, path, offset: i * per, length: per })),
      timers: [],
      operatorState: null,
      stateSize: per * task.keyGroups.length,
    }];
  }

  private report(task: SimulatedTask, update: { state: string; endOfData?: boolean }): void {
    const registration = this.registration;
    if (!registration || !this.alive) return;
    void callUnary(this.options.client, 'UpdateTaskExecutionState', {
      registrationId: registration.registrationId,
      jobId: task.jobId,
      executionAttemptId: task.attemptId,
      state: update.state,
      failure: '',
      resultJson: '',
      endOfData: update.endOfData ?? false,
    }, { timeoutMs: 30_000, target: 'JobManager' }).catch(() => undefined);
  }
}

