import { pino, type Logger as PinoLogger } from 'pino';

/**
 * Structured JSON logs on stdout, one object a line. Messages are constant
 * sentences; the facts go in fields (`log.info({ port }, 'JobManager listening')`).
 * Library code takes a logger and uses `log.child({ ... })` for context.
 */
export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly component: string;
  readonly level?: string;
  /** Where lines go; defaults to stdout. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { component: options.component, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 1, sync: true }),
  );
}

/** A logger that drops everything (for tools and tests that do not want output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
