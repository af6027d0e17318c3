import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

/** How many messages `stream` stores. */
export async function streamMessages(manager: JetStreamManager, stream: string): Promise<number> {
  return (await manager.streams.info(stream)).state.messages;
}

/** Every message `stream` stores, parsed as JSON, in stream order (read with an ordered consumer). */
export async function natsStreamRecords<T>(manager: JetStreamManager, client: JetStreamClient, stream: string): Promise<T[]> {
  const total = await streamMessages(manager, stream);
  const records: T[] = [];
  if (total === 0) return records;
  const consumer = await client.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  try {
    for await (const message of await consumer.consume({ max_messages: 1000 })) {
      records.push(message.json<T>());
      if (records.length === total) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return records;
}
