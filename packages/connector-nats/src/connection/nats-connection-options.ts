/**
 * How a NATS connector reaches its servers. Plain data only: the options are
 * part of the Source/Sink object, recreated from the job bundle wherever an
 * enumerator, reader, writer or committer runs.
 */
export interface NatsConnectionOptions {
  /** One URL or several, e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** User and password (the server's `authorization { user, password }`). */
  readonly user?: string;
  readonly password?: string;
  /** A token (the server's `authorization { token }`). */
  readonly token?: string;
  /** Bound on connecting, default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Wait between reconnect attempts after a lost connection, default 2 s (the client's). */
  readonly reconnectTimeWaitMs?: number;
}

export function serverList(options: NatsConnectionOptions): string[] {
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  return servers;
}
