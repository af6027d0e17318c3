import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';

/**
 * bench/nats's baseline: what a program written directly against the NATS
 * client does for the same work in one process — an ordered consumer per
 * partition subject, a running count per key in a Map, each count published
 * to the output stream with acknowledgements on one inbox (the fastest way
 * the client offers, as the sink does), at most `window` unacknowledged.
 * Resolves with the wall time from the first read to the last ack.
 */
export async function rawConsumePublish(
  connection: NatsConnection,
  input: { stream: string; subjects: readonly string[]; total: number },
  outputPrefix: string,
  window = 4096,
): Promise<number> {
  const js = jetstream(connection);
  const counts = new Map<string, number>();
  const inbox = createInbox();
  let acked = 0;
  let published = 0;
  let wake: (() => void) | undefined;
  let done: () => void = () => undefined;
  const allAcked = new Promise<void>((resolve) => (done = resolve));
  connection.subscribe(`${inbox}.*`, {
    callback: () => {
      acked += 1;
      wake?.();
      if (acked === input.total) done();
    },
  });
  const encoder = new TextEncoder();
  const start = performance.now();
  await Promise.all(
    input.subjects.map(async (subject) => {
      const consumer = await js.consumers.get(input.stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
      const perSubject = Math.floor(input.total / input.subjects.length) + (input.subjects.indexOf(subject) < input.total % input.subjects.length ? 1 : 0);
      let read = 0;
      if (perSubject === 0) return;
      for await (const message of await consumer.consume({ max_messages: 512 })) {
        const { key } = message.json<{ key: string }>();
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        while (published - acked >= window) await new Promise<void>((resolve) => (wake = resolve));
        connection.publish(`${outputPrefix}.${key}`, encoder.encode(JSON.stringify({ key, count })), { reply: `${inbox}.${published}` });
        published += 1;
        if (++read === perSubject) break;
      }
    }),
  );
  await allAcked;
  return performance.now() - start;
}
