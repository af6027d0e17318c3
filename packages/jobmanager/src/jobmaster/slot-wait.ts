import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';

/**
 * A job waiting for free slots: every TaskManager that registers may bring
 * them, and so may every job that ends or gives slots back, so
 * `onRegistered` runs on each registration and each freeing of slots;
 * `onTimeout` runs once the wait exceeds its bound (slot.request.timeout).
 * Both stop with `stop()`.
 */
export class SlotWait {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly registry: TaskManagerRegistry,
    timeoutMs: number,
    private readonly onRegistered: () => void,
    onTimeout: () => void,
  ) {
    this.timer = setTimeout(onTimeout, timeoutMs);
    registry.on('registered', onRegistered);
    registry.on('slots-freed', onRegistered);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.registry.off('registered', this.onRegistered);
    this.registry.off('slots-freed', this.onRegistered);
  }
}
