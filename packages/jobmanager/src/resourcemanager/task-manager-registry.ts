import { EventEmitter } from 'node:events';
import {
  RivuletError,
  newRegistrationId,
  type Logger,
  type RegistrationId,
  type TaskManagerId,
  type pb,
} from '@rivulet/common';
import type { JobManagerMetrics } from '../metrics.js';
import {
  endpointOf,
  freeSlots,
  type LossReason,
  type TaskManagerRegistration,
} from './task-manager-registration.js';

export interface TaskManagerRegistryEvents {
  registered: [TaskManagerRegistration];
  lost: [TaskManagerRegistration, LossReason, string];
  /** Slots were freed (a job ended or gave some back): a job waiting for slots tries again. Emitted after the change, never inside it. */
  'slots-freed': [];
}

/**
 * The JobManager's registry of TaskManagers and their slots.
 *
 * Invariants: at most one registration per resource id (a re-registration
 * replaces the old one); a registration is removed exactly once, and
 * `lost` is emitted exactly once for it; callers holding a stale registration
 * id (an old heartbeat stream, a late disconnect) cannot affect a newer one.
 */
export class TaskManagerRegistry extends EventEmitter<TaskManagerRegistryEvents> {
  private readonly byRegistration = new Map<RegistrationId, TaskManagerRegistration>();
  /** `all()`'s answer, until a registration is added or removed. */
  private sorted: readonly TaskManagerRegistration[] | undefined;
  private readonly byResource = new Map<TaskManagerId, RegistrationId>();
  /** Registrations that sent at least one heartbeat (a gap is measured from the second on). */
  private readonly heardFrom = new WeakSet<TaskManagerRegistration>();
  /** Free slots when last counted (any change of registrations or allocations): more now means some were freed. */
  private lastAvailable = 0;
  private freedPending = false;

  constructor(
    private readonly log: Logger,
    private readonly metrics: JobManagerMetrics,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  register(request: pb.RegisterTaskManagerRequest__Output): TaskManagerRegistration {
    const resourceId = request.resourceId as TaskManagerId;
    const previous = this.byResource.get(resourceId);
    if (previous !== undefined) this.remove(previous, 'replaced', 'the TaskManager registered again');
    const now = this.now();
    const registration: TaskManagerRegistration = {
      registrationId: newRegistrationId(),
      resourceId,
      rpcEndpoint: endpointOf(request.rpcEndpoint),
      dataEndpoint: endpointOf(request.dataEndpoint),
      httpEndpoint: endpointOf(request.httpEndpoint),
      numberOfSlots: request.numberOfSlots,
      registeredAtMs: now,
      lastHeartbeatMs: now,
      slots: request.slots,
      tasks: request.tasks ?? [],
      allocations: Array.from({ length: request.numberOfSlots }, () => undefined),
    };
    this.byRegistration.set(registration.registrationId, registration);
    this.sorted = undefined;
    this.byResource.set(resourceId, registration.registrationId);
    this.log.info(
      { resourceId, registrationId: registration.registrationId, slots: registration.numberOfSlots },
      'TaskManager registered',
    );
    this.updateGauges();
    this.emit('registered', registration);
    return registration;
  }

  get(registrationId: string): TaskManagerRegistration | undefined {
    return this.byRegistration.get(registrationId as RegistrationId);
  }

  /** Records a heartbeat; false when the registration is unknown (stale or lost). */
  heartbeat(registrationId: string, slots: readonly pb.SlotStatus__Output[]): boolean {
    const registration = this.get(registrationId);
    if (!registration) return false;
    const now = this.now();
    // The gap since the previous heartbeat; the first one only follows the registration.
    if (this.heardFrom.has(registration)) this.metrics.observeHeartbeatGap(registration.resourceId, now - registration.lastHeartbeatMs);
    else this.heardFrom.add(registration);
    registration.lastHeartbeatMs = now;
    if (slots.length > 0) registration.slots = slots;
    return true;
  }

  /** Removes a registration; no-op (returns false) when it is already gone. */
  remove(registrationId: string, reason: LossReason, detail: string): boolean {
    const registration = this.get(registrationId);
    if (!registration) return false;
    this.byRegistration.delete(registration.registrationId);
    this.sorted = undefined;
    if (this.byResource.get(registration.resourceId) === registration.registrationId) {
      this.byResource.delete(registration.resourceId);
      this.metrics.removeTaskManager(registration.resourceId);
    }
    this.metrics.taskManagersLost.inc({ reason });
    const level = reason === 'disconnect' || reason === 'replaced' || reason === 'graceful-shutdown' ? 'info' : 'warn';
    this.log[level](
      { resourceId: registration.resourceId, registrationId, reason, detail },
      'TaskManager no longer registered',
    );
    this.updateGauges();
    this.emit('lost', registration, reason, detail);
    return true;
  }

  /**
   * A TaskManager says it leaves (graceful stop): its registration is removed
   * at once with reason `graceful-shutdown`. False when it is already gone
   * (leaving is idempotent); a `resourceId` that is not the registration's
   * is refused, naming both. Without a registration id (it stops before it
   * read the answer to its registration), its resource id names it.
   */
  leave(registrationId: string, resourceId: string, reason: string): boolean {
    if (registrationId === '' && resourceId === '') {
      throw new RivuletError('USAGE', 'DisconnectTaskManager: registration_id and resource_id are both empty');
    }
    if (registrationId === '') registrationId = this.byResource.get(resourceId as TaskManagerId) ?? '';
    const registration = this.get(registrationId);
    if (!registration) {
      this.log.info({ registrationId, resourceId, reason }, 'a TaskManager that is no longer registered says it leaves');
      return false;
    }
    if (resourceId !== '' && resourceId !== registration.resourceId) {
      throw new RivuletError(
        'USAGE',
        `DisconnectTaskManager: registration "${registrationId}" belongs to TaskManager "${registration.resourceId}", not "${resourceId}"`,
      );
    }
    return this.remove(registrationId, 'graceful-shutdown', reason === '' ? `TaskManager ${registration.resourceId} is stopping` : reason);
  }

  /** Removes every registration silent for longer than `timeoutMs`; returns them. */
  expireSilent(timeoutMs: number): TaskManagerRegistration[] {
    const deadline = this.now() - timeoutMs;
    const expired = [...this.byRegistration.values()].filter((r) => r.lastHeartbeatMs < deadline);
    for (const registration of expired) {
      this.remove(
        registration.registrationId,
        'heartbeat-timeout',
        `no heartbeat for ${this.now() - registration.lastHeartbeatMs} ms (heartbeat.timeout ${timeoutMs} ms)`,
      );
    }
    return expired;
  }

  /** Every registration, by resource id; the same array until one registers or leaves (do not change it). */
  all(): readonly TaskManagerRegistration[] {
    this.sorted ??= [...this.byRegistration.values()].sort((a, b) => a.resourceId.localeCompare(b.resourceId));
    return this.sorted;
  }

  slotsTotal(): number {
    let total = 0;
    for (const registration of this.byRegistration.values()) total += registration.numberOfSlots;
    return total;
  }

  slotsAvailable(): number {
    let free = 0;
    for (const registration of this.byRegistration.values()) free += freeSlots(registration);
    return free;
  }

  /** Call after changing allocations so the slot gauges follow (and jobs waiting for slots hear of freed ones). */
  allocationsChanged(): void {
    const available = this.slotsAvailable();
    if (available > this.lastAvailable && !this.freedPending) {
      // On the next turn: an allocation made by a listener must not re-enter another listener's allocation.
      this.freedPending = true;
      setImmediate(() => {
        this.freedPending = false;
        this.emit('slots-freed');
      });
    }
    this.updateGauges();
  }

  clear(reason: LossReason, detail: string): void {
    for (const id of [...this.byRegistration.keys()]) this.remove(id, reason, detail);
  }

  private updateGauges(): void {
    this.lastAvailable = this.slotsAvailable();
    this.metrics.registeredTaskManagers.set(this.byRegistration.size);
    this.metrics.slotsTotal.set(this.slotsTotal());
    this.metrics.slotsAvailable.set(this.lastAvailable);
  }
}
