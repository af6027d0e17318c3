import { createLogger, errorMessage, installShutdownHooks, type Configuration, type Logger } from '@rivulet/common';

export interface Daemon {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Runs a daemon in this process until SIGTERM/SIGINT (graceful, bounded by
 * cluster.services.shutdown-timeout). When started by `rivulet local` over an
 * IPC channel, it also stops when its parent goes away, so no daemon outlives
 * the local cluster. A failure to start exits 1 with a one-line message.
 */
export async function runDaemon(
  component: string,
  config: Configuration,
  create: (config: Configuration, log: Logger) => Daemon,
): Promise<void> {
  const log = createLogger({ component, level: config['log.level'] });
  const daemon = create(config, log);
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
