import type { SlotLocation } from '../executiongraph/execution-graph.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';

/**
 * The slots a job holds. Slot i runs subtask i of every vertex (slot
 * sharing); it becomes undefined once its TaskManager is lost. Where each
 * slot was last is kept, so a replacement prefers that TaskManager (its
 * local state copy is there).
 */
export class JobSlots {
  private readonly slots: (SlotLocation | undefined)[] = [];
  private readonly lastResourceOfSlot: (string | undefined)[] = [];

  get(index: number): SlotLocation | undefined {
    return this.slots[index];
  }

  /** Slot `index` is now `slot`. */
  assign(index: number, slot: SlotLocation): void {
    this.slots[index] = slot;
    this.lastResourceOfSlot[index] = slot.resourceId;
  }

  /** The TaskManager that was last where slot `index` was (undefined: none yet). */
  lastResourceOf(index: number): string | undefined {
    return this.lastResourceOfSlot[index];
  }

  /** The TaskManager of `registrationId` was lost: the slots it held are gone. */
  forgetTaskManager(registrationId: string): void {
    this.slots.forEach((slot, index) => {
      if (slot?.registrationId === registrationId) this.slots[index] = undefined;
    });
  }

  /** Those of `indices` whose slot is gone or whose TaskManager is no longer registered. */
  missing(indices: readonly number[], registry: TaskManagerRegistry): number[] {
    return indices.filter((i) => {
      const slot = this.slots[i];
      return slot === undefined || registry.get(slot.registrationId) === undefined;
    });
  }

  /** The slots whose TaskManager is still registered, in slot order. */
  alive(registry: TaskManagerRegistry): SlotLocation[] {
    return this.slots.filter((slot): slot is SlotLocation => slot !== undefined && registry.get(slot.registrationId) !== undefined);
  }

  /** The job now holds exactly `slots` (after a rescale), slot i being `slots[i]`. */
  replaceAll(slots: readonly SlotLocation[]): void {
    this.slots.length = 0;
    this.slots.push(...slots);
    this.slots.forEach((slot, index) => (this.lastResourceOfSlot[index] = slot?.resourceId));
  }
}
