import type { SubtaskCheckpointMetrics, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { ChannelEvent } from '../../network/network-api.js';
import { BarrierAligner, type BarrierInfo, type ChannelBlocker, type CheckpointingMode } from '../checkpointing/barrier-aligner.js';
import { createInputValve, type InputValve } from './event-time/two-input-watermarks.js';
import type { WatermarkSink } from './event-time/watermark-sink.js';

export interface InputEventCallbacks {
  /** Every input channel delivered this aligned checkpoint's barrier. */
  readonly aligned: (barrier: BarrierInfo, metrics: SubtaskCheckpointMetrics) => void;
  /** An aligned checkpoint was given up (a newer barrier overtook it). */
  readonly aborted: (checkpointId: number, reason: string) => void;
  /** An unaligned checkpoint's barrier: snapshot now. */
  readonly unalignedBarrier: (event: ChannelEvent & { kind: 'barrier' }) => Promise<void>;
  /** Every channel delivered end-of-data. */
  readonly allDataEnded: () => Promise<void>;
}

/**
 * What a task with inputs does with the events of its input channels:
 * watermarks and idleness combined per input (the valve), barriers aligned
 * (or, unaligned, taken at once), end-of-data and end-of-partition counted.
 */
export class InputEvents {
  /** The input (1 or 2) of each gate channel, in the gate's order (the inputs' channels, flattened). */
  readonly channelInputs: readonly (1 | 2)[];
  readonly valve: InputValve;
  private readonly aligner: BarrierAligner;
  /** Channels that delivered end-of-data or end-of-partition. */
  private readonly endedChannels = new Set<number>();

  constructor(
    descriptor: TaskDeploymentDescriptor,
    mode: CheckpointingMode,
    gate: ChannelBlocker & { readonly numberOfChannels: number },
    watermarks: WatermarkSink,
    private readonly callbacks: InputEventCallbacks,
  ) {
    this.aligner = new BarrierAligner(gate.numberOfChannels, mode, gate, { onAligned: callbacks.aligned, onAborted: callbacks.aborted });
    this.channelInputs = descriptor.inputs.flatMap((input) => input.channels.map(() => input.input ?? 1));
    this.valve = createInputValve(this.channelInputs, {
      watermark: (timestamp) => watermarks.processWatermark(timestamp),
      status: (idle) => watermarks.processWatermarkStatus(idle),
    });
    this.numberOfChannels = gate.numberOfChannels;
  }

  private readonly numberOfChannels: number;

  /** Handles one event of input channel `channel`; resolves once what it started (a snapshot, the end of data) is done. */
  async handle(channel: number, event: ChannelEvent): Promise<void> {
    if (event.kind === 'watermark') {
      this.valve.inputWatermark(channel, event.timestamp);
    } else if (event.kind === 'watermark-status') {
      this.valve.inputStatus(channel, event.idle);
    } else if (event.kind === 'barrier') {
      // The gate hands an unaligned checkpoint's barrier out first; taken here only if it arrived after the task's check.
      if (event.unaligned === true) await this.callbacks.unalignedBarrier(event);
      else this.aligner.onBarrier(channel, event);
    } else if (event.kind === 'end-of-data') {
      this.endedChannels.add(channel);
      this.valve.channelEnded(channel);
      if (this.endedChannels.size === this.numberOfChannels) await this.callbacks.allDataEnded();
    } else {
      // End of partition does not move the watermark: a producer whose input ended sent +Infinity before it,
      // and one stopped with a savepoint (Flink's stop without --drain) must not fire the windows and timers
      // its savepoint holds, or a restore would emit them twice.
      this.endedChannels.add(channel);
      this.aligner.onEndOfPartition(channel);
    }
  }
}
