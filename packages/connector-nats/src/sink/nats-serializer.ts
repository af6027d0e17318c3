/** Turns a record into a message's payload (runs in the sink's writer). */
export type NatsSerializer<T> = (record: T) => Uint8Array;

const encoder = new TextEncoder();

/** The built-in serializers: JSON (the default), UTF-8 string, raw bytes. */
export const NatsSerializers = {
  json: <T>(): NatsSerializer<T> => (record) => encoder.encode(JSON.stringify(record)),
  string: (): NatsSerializer<string> => (record) => encoder.encode(record),
  bytes: (): NatsSerializer<Uint8Array> => (record) => record,
} as const;
