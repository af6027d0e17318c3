import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { NatsConnectorError, reason, type ConnectorLocation } from './nats-connector-error.js';
import { serverList, type NatsConnectionOptions } from './nats-connection-options.js';

/**
 * Opens a connection for a connector and turns the client's failures into
 * NatsConnectorErrors that say what failed: an unreachable server, rejected
 * credentials, a server without JetStream, a missing stream.
 *
 * The connection reconnects by itself after it was established (the client's
 * default); only the first connect fails fast.
 */
export async function connectConnector(where: ConnectorLocation, options: NatsConnectionOptions): Promise<NatsConnection> {
  const servers = serverList(options);
  if (servers.length === 0) throw new NatsConnectorError(where, 'no servers given (option "servers")');
  try {
    return await connect({
      servers,
      ...(options.user !== undefined ? { user: options.user, pass: options.password ?? '' } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      timeout: options.connectTimeoutMs ?? 5000,
      name: `rivulet ${where.connector}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectTimeWaitMs ?? 2000,
    });
  } catch (err) {
    const message = reason(err);
    if (/authorization|authentication/i.test(message) || (err as { name?: string }).name === 'AuthorizationError') {
      throw new NatsConnectorError(where, `the server rejected the credentials (${message})`, { cause: err });
    }
    throw new NatsConnectorError(where, `cannot connect to the server (${message})`, { cause: err });
  }
}

/** A JetStream manager on `connection`, failing clearly when the server has no JetStream. */
export async function jetStreamManagerFor(where: ConnectorLocation, connection: NatsConnection): Promise<JetStreamManager> {
  try {
    return await jetstreamManager(connection, { timeout: 5000 });
  } catch (err) {
    throw new NatsConnectorError(where, `JetStream is not available on the server (${reason(err)})`, { cause: err });
  }
}

/** The stream's info, or a NatsConnectorError saying it does not exist. */
export async function streamInfo(where: ConnectorLocation, manager: JetStreamManager, stream: string): Promise<StreamInfo> {
  try {
    return await manager.streams.info(stream);
  } catch (err) {
    const message = reason(err);
    if (/not found/i.test(message)) throw new NatsConnectorError(where, `stream "${stream}" does not exist`, { cause: err });
    throw new NatsConnectorError(where, `cannot read the configuration of stream "${stream}" (${message})`, { cause: err });
  }
}
