/**
 * An error of a NATS connector. Its message names the connector (source or
 * sink), the server(s) and the stream it was talking to, then what failed:
 * `NATS source (nats://host:4222, stream "events"): stream "events" does not exist`.
 */
export class NatsConnectorError extends Error {
  override readonly name = 'NatsConnectorError';

  constructor(where: ConnectorLocation, what: string, options?: { cause?: unknown }) {
    super(`${describeLocation(where)}: ${what}`, options);
  }
}

/** Which connector talks to which servers (and stream). */
export interface ConnectorLocation {
  readonly connector: 'NATS source' | 'NATS sink';
  readonly servers: readonly string[];
  readonly stream?: string;
}

export function describeLocation(where: ConnectorLocation): string {
  const stream = where.stream === undefined ? '' : `, stream "${where.stream}"`;
  return `${where.connector} (${where.servers.join(', ')}${stream})`;
}

/** The message of whatever was thrown. */
export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
