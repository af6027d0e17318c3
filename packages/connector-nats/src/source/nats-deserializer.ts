import type { MsgHdrs } from '@nats-io/transport-node';

/** A message as a NatsSource's deserializer sees it. */
export interface NatsSourceMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly sequence: number;
  /** When the stream stored the message, ms since the epoch. */
  readonly timestampMs: number;
  readonly headers: MsgHdrs | undefined;
}

/** Turns a message into a record (runs on the reader's TaskManager). */
export type NatsDeserializer<T> = (message: NatsSourceMessage) => T;

const decoder = new TextDecoder();

/** The built-in deserializers: JSON (the default), UTF-8 string, raw bytes. */
export const NatsDeserializers = {
  json: <T = unknown>(): NatsDeserializer<T> => (message) => JSON.parse(decoder.decode(message.data)) as T,
  string: (): NatsDeserializer<string> => (message) => decoder.decode(message.data),
  bytes: (): NatsDeserializer<Uint8Array> => (message) => message.data,
} as const;
