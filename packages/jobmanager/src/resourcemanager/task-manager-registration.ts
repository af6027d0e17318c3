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
  slots: readonly pb.SlotStatus__Output[];
}

export type LossReason = 'connection' | 'heartbeat-timeout' | 'disconnect' | 'replaced';

export function freeSlots(registration: TaskManagerRegistration): number {
  return registration.slots.filter((slot) => !slot.allocated).length;
}

export function endpointOf(endpoint: pb.Endpoint__Output | null | undefined): EndpointInfo {
  return { host: endpoint?.host ?? '', port: endpoint?.port ?? 0 };
}
