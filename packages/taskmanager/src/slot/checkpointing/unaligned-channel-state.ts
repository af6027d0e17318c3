import { encodeChannelState, type OutputBatch } from './channel-state-file.js';
import type { InputChannelStateRecording } from './channel-state-recording.js';

/**
 * A subtask's in-flight records of one unaligned checkpoint: the output
 * batches its barrier overtook (known at the snapshot) and the input the
 * gate records until every channel delivered the barrier.
 */
export class UnalignedChannelState {
  constructor(
    private readonly inputChannels: number,
    /** Per writer, per subpartition, the payloads the barrier overtook. */
    private readonly overtaken: readonly (readonly (readonly Buffer[])[])[],
    private readonly input: InputChannelStateRecording | undefined,
  ) {}

  /** The channel-state file and the records' bytes, once the input is complete; rejects if the checkpoint was given up. */
  async encoded(): Promise<{ readonly bytes: Buffer; readonly dataBytes: number }> {
    const input = this.input === undefined ? { batches: [], bytes: 0 } : await this.input.done;
    const output: OutputBatch[] = [];
    let dataBytes = input.bytes;
    this.overtaken.forEach((subpartitions, writer) => subpartitions.forEach((payloads, subpartition) => {
      for (const payload of payloads) {
        output.push({ writer, subpartition, payload });
        dataBytes += payload.byteLength;
      }
    }));
    const shape = { inputChannels: this.inputChannels, subpartitions: this.overtaken.map((s) => s.length) };
    return { bytes: encodeChannelState({ shape, input: input.batches, output }), dataBytes };
  }
}
