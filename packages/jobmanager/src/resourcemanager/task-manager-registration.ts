import type { RegistrationId, TaskManagerId, pb } from '@rivulet/common';

export interface EndpointInfo {
  readonly host: string;
  readonly port: number;
}

/** What the JobManager knows of one registered TaskManager. */
export interface TaskManagerRegistration {
  readonly registrationId: RegistrationId;
  readonly resourceId: TaskManagerId;
  readonly rpcEndpoint: EndpointInfo;
  readonly dataEndpoint: EndpointInfo;
  readonly httpEndpoint: EndpointInfo;
  readonly numberOfSlots: number;
  readonly registeredAtMs: number;
  lastHeartbeatMs: number;
  /** The slot report of the last heartbeat (informational; allocations below are authoritative). */
  slots: readonly pb.SlotStatus__Output[];
  /** The tasks it reported running when it registered (a new leader adopts them). */
  readonly tasks: readonly pb.RunningTask__Output[];
  /** The JobManager's allocation of each slot, by slot index. */
  readonly allocations: Array<SlotAllocation | undefined>;
}

export interface SlotAllocation {
  readonly allocationId: string;
  readonly jobId: string;
}

/**
 * Why a registration ended: `connection` its heartbeat stream broke,
 * `heartbeat-timeout` it went silent, `graceful-shutdown` the TaskManager
 * said it leaves (SIGTERM), `disconnect` this JobManager dropped it (lost
 * leadership), `replaced` it registered again.
 */
export type LossReason = 'connection' | 'heartbeat-timeout' | 'graceful-shutdown' | 'disconnect' | 'replaced';

export function freeSlots(registration: TaskManagerRegistration): number {
  return registration.allocations.filter((allocation) => allocation === undefined).length;
}

export function endpointOf(endpoint: pb.Endpoint__Output | null | undefined): EndpointInfo {
  return { host: endpoint?.host ?? '', port: endpoint?.port ?? 0 };
}
