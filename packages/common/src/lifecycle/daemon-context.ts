import type { Configuration } from '../config/load-configuration.js';

/**
 * What the daemon runner of this process (one daemon a process) tells the
 * components that the daemon's constructor does not reach: the configuration
 * it runs with, and its fatal-error handler (Flink's FatalErrorHandler: log
 * the error, stop the daemon, exit 1). Outside a daemon (tools, tests)
 * there is none.
 */
export interface DaemonContext {
  readonly config: Configuration;
  /** A misconfiguration or invariant broken for good: the daemon stops and the process exits 1. */
  readonly onFatalError: (err: Error) => void;
}

let current: DaemonContext | undefined;

export function setDaemonContext(context: DaemonContext | undefined): void {
  current = context;
}

export function daemonContext(): DaemonContext | undefined {
  return current;
}
