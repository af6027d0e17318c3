import type { Logger, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { InputGateEntry, ResultPartitionWriter } from '../../network/network-api.js';
import { batchEntry, decodeBatch } from '../../network/record-serializer.js';
import { checkChannelStateShape, readChannelState } from './channel-state-file.js';
import type { StorageProvider } from './storage-provider.js';

/**
 * Restore of an unaligned checkpoint's in-flight records of one subtask:
 * its output batches are sent again at once (before any new record) to the
 * subpartitions they were queued for; its input batches are returned, for
 * the task to process before anything from its gate. Throws when the
 * subtask's channels are not the ones the records were taken from.
 */
export async function restoreChannelState(
  descriptor: TaskDeploymentDescriptor,
  writers: readonly ResultPartitionWriter[],
  inputChannels: number,
  storage: StorageProvider,
  log: Logger,
): Promise<InputGateEntry[]> {
  const restore = descriptor.restore;
  const head = descriptor.operators[0];
  if (restore === undefined || head === undefined) return [];
  const content = await readChannelState(restore, head.id, storage);
  if (content === undefined) return [];
  const where = `checkpoint ${restore.checkpointId} of ${descriptor.vertexName} (${descriptor.subtaskIndex + 1}/${descriptor.parallelism})`;
  checkChannelStateShape(content.shape, { inputChannels, subpartitions: descriptor.outputs.map((o) => o.numberOfSubpartitions) }, where);
  for (const batch of content.output) {
    const writer = writers[batch.writer]!;
    if (writer.replayBatch === undefined) throw new Error(`the result partition of ${where} cannot send restored in-flight records`);
    writer.replayBatch(batch.subpartition, batch.payload);
  }
  log.info({ checkpointId: restore.checkpointId, inputBatches: content.input.length, outputBatches: content.output.length }, 'in-flight records of an unaligned checkpoint restored');
  return content.input.map((batch) => batchEntry(batch.channel, decodeBatch(batch.payload)));
}
