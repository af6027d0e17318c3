import { IllegalStateError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/**
 * The lifecycle every daemon follows:
 * INITIALIZED -> RUNNING -> STOPPING -> STOPPED, or -> FAILED from any state.
 * Every transition is logged; an illegal one throws.
 */
export type ServiceState = 'INITIALIZED' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

const ALLOWED: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  INITIALIZED: ['RUNNING', 'STOPPING', 'FAILED'],
  RUNNING: ['STOPPING', 'FAILED'],
  STOPPING: ['STOPPED', 'FAILED'],
  STOPPED: [],
  FAILED: [],
};

export class ServiceLifecycle {
  private current: ServiceState = 'INITIALIZED';

  constructor(
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  get state(): ServiceState {
    return this.current;
  }

  transition(to: ServiceState): void {
    if (!ALLOWED[this.current].includes(to)) {
      throw new IllegalStateError(`${this.name}: cannot go from ${this.current} to ${to}`);
    }
    this.log.info({ from: this.current, to }, `${this.name} state changed`);
    this.current = to;
  }
}
