export { NatsConnectorError } from './connection/nats-connector-error.js';
export type { NatsConnectionOptions } from './connection/nats-connection-options.js';
export { NatsSource } from './source/nats-source.js';
export { partitionSubjects, type NatsSourceOptions } from './source/nats-source-options.js';
export { StartingPosition, type NatsStartingPosition } from './source/starting-position.js';
export { NatsDeserializers, type NatsDeserializer, type NatsSourceMessage } from './source/nats-deserializer.js';
export type { NatsSplit } from './source/nats-split.js';
export type { NatsEnumeratorState } from './source/nats-split-enumerator.js';
