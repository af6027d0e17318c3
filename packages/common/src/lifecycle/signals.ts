import type { Logger } from '../logging/logger.js';

/**
 * Wires SIGTERM and SIGINT once: the first starts `stop()`, bounded by
 * `timeoutMs` after which the process exits with code 1; a second signal
 * exits at once. Also logs (and exits on) unhandled rejections, so no failure
 * passes silently.
 */
export function installShutdownHooks(
  log: Logger,
  stop: () => Promise<void>,
  timeoutMs: number,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting at once');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, timeoutMs }, 'stopping on signal');
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'graceful stop took too long, exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'graceful stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}
