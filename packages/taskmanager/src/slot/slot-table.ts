import type { pb } from '@rivulet/common';

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

  report(): pb.SlotStatus[] {
    return this.slots.map((slot) => ({
      index: slot.index,
      allocated: slot.allocation !== undefined,
      jobId: slot.allocation?.jobId ?? '',
      allocationId: slot.allocation?.allocationId ?? '',
    }));
  }
}
