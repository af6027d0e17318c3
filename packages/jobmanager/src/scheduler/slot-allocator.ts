import { newAllocationId } from '@rivulet/common';
import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { SlotLocation } from '../executiongraph/execution-graph.js';

/**
 * Allocates slots for a job from the registered TaskManagers. With slot
 * sharing a job needs as many slots as its highest parallelism. Slots are
 * spread round-robin over TaskManagers (cluster.evenly-spread-out-slots,
 * our default: more cores per job) or taken TaskManager by TaskManager.
 * All-or-nothing: either every requested slot is allocated, or none.
 */
export function allocateSlots(
  registry: TaskManagerRegistry,
  jobId: string,
  count: number,
  spread: boolean,
): SlotLocation[] | undefined {
  const candidates = registry.all().map((registration) => ({
    registration,
    free: registration.allocations.flatMap((a, index) => (a === undefined ? [index] : [])),
  }));
  const total = candidates.reduce((sum, c) => sum + c.free.length, 0);
  if (total < count) return undefined;
  const picked: Array<{ registration: TaskManagerRegistration; slotIndex: number }> = [];
  if (spread) {
    while (picked.length < count) {
      for (const candidate of candidates) {
        const slotIndex = candidate.free.shift();
        if (slotIndex !== undefined && picked.length < count) picked.push({ registration: candidate.registration, slotIndex });
      }
    }
  } else {
    for (const candidate of candidates) {
      for (const slotIndex of candidate.free) {
        if (picked.length < count) picked.push({ registration: candidate.registration, slotIndex });
      }
    }
  }
  const locations = picked.map(({ registration, slotIndex }) => allocate(registration, slotIndex, jobId));
  registry.allocationsChanged();
  return locations;
}

/**
 * Allocates one slot for each entry of `preferred` after a failover: on the
 * TaskManager with that resource id when it is registered and has a free
 * slot (where the subtask ran, so its local state copy is there), otherwise
 * on the TaskManager with the most free slots. All-or-nothing.
 */
export function allocateReplacementSlots(
  registry: TaskManagerRegistry,
  jobId: string,
  preferred: readonly (string | undefined)[],
): SlotLocation[] | undefined {
  const free = new Map(registry.all().map((registration) => [
    registration,
    registration.allocations.flatMap((a, index) => (a === undefined ? [index] : [])),
  ] as const));
  const total = [...free.values()].reduce((sum, slots) => sum + slots.length, 0);
  if (total < preferred.length) return undefined;
  const picked = preferred.map((resourceId) => {
    const home = registry.all().find((r) => r.resourceId === resourceId && (free.get(r)?.length ?? 0) > 0);
    const registration = home ?? [...free.entries()].sort(([, a], [, b]) => b.length - a.length)[0]![0];
    return { registration, slotIndex: free.get(registration)!.shift()! };
  });
  const locations = picked.map(({ registration, slotIndex }) => allocate(registration, slotIndex, jobId));
  registry.allocationsChanged();
  return locations;
}

function allocate(registration: TaskManagerRegistration, slotIndex: number, jobId: string): SlotLocation {
  const allocationId = newAllocationId();
  registration.allocations[slotIndex] = { allocationId, jobId };
  return {
    resourceId: registration.resourceId,
    registrationId: registration.registrationId,
    slotIndex,
    allocationId,
    rpcAddress: `${registration.rpcEndpoint.host}:${registration.rpcEndpoint.port}`,
    dataHost: registration.dataEndpoint.host,
    dataPort: registration.dataEndpoint.port,
  };
}

/** Frees every slot the job holds; returns the TaskManagers that held any. */
export function releaseSlots(registry: TaskManagerRegistry, jobId: string): TaskManagerRegistration[] {
  const holders: TaskManagerRegistration[] = [];
  for (const registration of registry.all()) {
    let held = false;
    registration.allocations.forEach((allocation, index) => {
      if (allocation?.jobId === jobId) {
        registration.allocations[index] = undefined;
        held = true;
      }
    });
    if (held) holders.push(registration);
  }
  registry.allocationsChanged();
  return holders;
}
