import { DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { NatsConnectorError, reason, type ConnectorLocation } from '../connection/nats-connector-error.js';
import { streamInfo } from '../connection/connect.js';
import { capturedBy, isValidSubject, subjectsOverlap } from '../connection/subjects.js';
import { natsSplit, type NatsSplit } from './nats-split.js';
import { startingPositionProblem, type NatsStartingPosition } from './starting-position.js';

/**
 * Split discovery of a NatsSource, on the JobManager: reads the stream's
 * configuration, checks the filter subjects (captured by the stream, not
 * overlapping: a message in two splits would be read twice) and turns the
 * starting position into a stream sequence per split, so that every reader
 * starts from the same messages whenever it (re)starts.
 */
export async function discoverSplits(
  where: ConnectorLocation,
  connection: NatsConnection,
  manager: JetStreamManager,
  request: { stream: string; subjects: readonly string[] | undefined; startingPosition: NatsStartingPosition; bounded: boolean },
): Promise<NatsSplit[]> {
  const problem = startingPositionProblem(request.startingPosition);
  if (problem !== undefined) throw new NatsConnectorError(where, problem);
  const info = await streamInfo(where, manager, request.stream);
  const streamSubjects = info.config.subjects ?? [];
  const filters = request.subjects === undefined ? streamSubjects : [...request.subjects];
  if (filters.length === 0) throw new NatsConnectorError(where, `stream "${request.stream}" has no subjects and none were given (option "subjects")`);
  for (const filter of filters) {
    if (!isValidSubject(filter)) throw new NatsConnectorError(where, `filter subject "${filter}" is not a valid subject`);
    if (request.subjects !== undefined && !capturedBy(streamSubjects, filter)) {
      throw new NatsConnectorError(where, `filter subject "${filter}" is outside stream "${request.stream}" (its subjects: ${streamSubjects.join(', ')})`);
    }
  }
  for (let i = 0; i < filters.length; i += 1) {
    for (let j = i + 1; j < filters.length; j += 1) {
      if (subjectsOverlap(filters[i]!, filters[j]!)) {
        throw new NatsConnectorError(where, `filter subjects "${filters[i]}" and "${filters[j]}" overlap: a message of both would be read twice`);
      }
    }
  }
  const lastSequence = info.state.last_seq;
  const stopSequence = request.bounded ? lastSequence : undefined;
  const splits: NatsSplit[] = [];
  for (const filter of filters) {
    const next = await startSequence(where, connection, request.stream, filter, request.startingPosition, lastSequence);
    splits.push(natsSplit(filter, next, stopSequence));
  }
  return splits;
}

async function startSequence(
  where: ConnectorLocation,
  connection: NatsConnection,
  stream: string,
  filter: string,
  position: NatsStartingPosition,
  lastSequence: number,
): Promise<number> {
  switch (position.kind) {
    case 'earliest':
      return 1;
    case 'latest':
      return lastSequence + 1;
    case 'sequence':
      return position.sequence;
    case 'timestamp':
      return firstSequenceAtOrAfter(where, connection, stream, filter, position.timestampMs, lastSequence);
  }
}

/**
 * The sequence of the first message of `filter` stored at or after
 * `timestampMs`: the first message an ephemeral by-start-time consumer
 * delivers, or (none yet) the one after `lastSequence`, which was read
 * before: a message stored since has a greater sequence.
 */
async function firstSequenceAtOrAfter(
  where: ConnectorLocation,
  connection: NatsConnection,
  stream: string,
  filter: string,
  timestampMs: number,
  lastSequence: number,
): Promise<number> {
  try {
    const consumer = await jetstream(connection).consumers.get(stream, {
      filter_subjects: filter,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(timestampMs).toISOString(),
    });
    const first = await consumer.next({ expires: 1000 });
    await consumer.delete().catch(() => undefined);
    return first === null ? lastSequence + 1 : first.seq;
  } catch (err) {
    throw new NatsConnectorError(where, `cannot find the first message of "${filter}" at or after ${new Date(timestampMs).toISOString()} (${reason(err)})`, { cause: err });
  }
}
