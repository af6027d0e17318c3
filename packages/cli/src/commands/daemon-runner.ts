import { createLogger, errorMessage, installShutdownHooks, type Configuration, type Logger } from '@rivulet/common';

export interface Daemon {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Runs a daemon in this process until SIGTERM/SIGINT (graceful, bounded by
 * cluster.services.shutdown-timeout). When started by `rivulet local` over an
 * IPC channel, it also stops when its parent goes away, so no daemon outlives
 * the local cluster. A failure to start exits 1 with a one-line message; so
 * does a fatal error reported later (a TaskManager refused by the JobManager
 * for a misconfiguration), after a graceful stop.
 */
export async function runDaemon(
  component: string,
  config: Configuration,
  create: (config: Configuration, log: Logger, onFatalError: (err: Error) => void) => Daemon,
): Promise<void> {
  const log = createLogger({ component, level: config['log.level'] });
  const daemon: Daemon = create(config, log, (err) => stopOnFatalError(component, log, daemon, err, config['cluster.services.shutdown-timeout']));
  installShutdownHooks(log, () => daemon.stop(), config['cluster.services.shutdown-timeout']);
  if (process.send !== undefined) {
    process.on('disconnect', () => {
      log.warn('parent process went away; stopping');
      process.kill(process.pid, 'SIGTERM');
    });
  }
  try {
    await daemon.start();
  } catch (err) {
    log.fatal({ err: errorMessage(err) }, `${component} failed to start`);
    process.stderr.write(`rivulet ${component}: ${errorMessage(err)}\n`);
    process.exit(1);
  }
}

let fatal = false;

/** Logs the error, prints it on one line, stops the daemon (bounded by `timeoutMs`) and exits 1. */
function stopOnFatalError(component: string, log: Logger, daemon: Daemon, err: Error, timeoutMs: number): void {
  if (fatal) return;
  fatal = true;
  log.fatal({ err: errorMessage(err) }, `${component} stopped by a fatal error`);
  process.stderr.write(`rivulet ${component}: ${errorMessage(err)}\n`);
  setTimeout(() => process.exit(1), timeoutMs).unref();
  daemon.stop().catch((stopErr: unknown) => log.error({ err: errorMessage(stopErr) }, 'stop after a fatal error failed')).finally(() => process.exit(1));
}
