import { RivuletError, type pb } from '@rivulet/common';

interface Slot {
  readonly index: number;
  allocation: { readonly allocationId: string; readonly jobId: string } | undefined;
}

/**
 * The slots a TaskManager offers. A slot is free or allocated to one job;
 * the scheduler (dataflow issue) allocates, `releaseJob` frees.
 */
export class SlotTable {
  private readonly slots: Slot[];

  constructor(numberOfSlots: number) {
    this.slots = Array.from({ length: numberOfSlots }, (_, index) => ({ index, allocation: undefined }));
  }

  get size(): number {
    return this.slots.length;
  }

  free(): number {
    return this.slots.filter((slot) => slot.allocation === undefined).length;
  }

  /**
   * Marks a slot allocated to a job. Idempotent for the same allocation
   * (slot sharing deploys several subtasks into one slot); a slot held by
   * another allocation is refused.
   */
  allocate(index: number, allocationId: string, jobId: string): void {
    const slot = this.slots[index];
    if (!slot) throw new RivuletError('USAGE', `slot ${index} does not exist (this TaskManager has ${this.slots.length})`);
    if (slot.allocation && slot.allocation.allocationId !== allocationId) {
      throw new RivuletError('ILLEGAL_STATE', `slot ${index} is allocated to job ${slot.allocation.jobId}`);
    }
    slot.allocation = { allocationId, jobId };
  }

  /** Frees every slot of the job; returns how many were freed. */
  releaseJob(jobId: string): number {
    let released = 0;
    for (const slot of this.slots) {
      if (slot.allocation?.jobId === jobId) {
        slot.allocation = undefined;
        released += 1;
      }
    }
    return released;
  }

  /** Index of the slot holding `allocationId`, -1 when none does. */
  indexOf(allocationId: string): number {
    return this.slots.findIndex((slot) => slot.allocation?.allocationId === allocationId);
  }

  /** Frees the slots holding any of `allocationIds`; returns how many were freed. */
  releaseAllocations(allocationIds: ReadonlySet<string>): number {
    let released = 0;
    for (const slot of this.slots) {
      if (slot.allocation && allocationIds.has(slot.allocation.allocationId)) {
        slot.allocation = undefined;
        released += 1;
      }
    }
    return released;
  }

  report(): pb.SlotStatus[] {
    return this.slots.map((slot) => ({
      index: slot.index,
      allocated: slot.allocation !== undefined,
      jobId: slot.allocation?.jobId ?? '',
      allocationId: slot.allocation?.allocationId ?? '',
    }));
  }
}
