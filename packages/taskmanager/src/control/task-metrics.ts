import { Gauge, type Registry, type TaskDeploymentDescriptor } from '@rivulet/common';
import type { TaskTimeSample } from '../protocol/slot-messages.js';
import { TaskSamples } from './status/task-samples.js';

type Labels = 'job_id' | 'task_name' | 'subtask_index';

/**
 * Flink's per-task time metrics, from the samples slot threads send every
 * second: busy, idle and back-pressured milliseconds per second (they add
 * up to about 1000). A task's series go when the task ends.
 */
export class TaskMetrics {
  private readonly busy: Gauge<Labels>;
  private readonly idle: Gauge<Labels>;
  private readonly backPressured: Gauge<Labels>;
  private readonly inputWatermark: Gauge<Labels>;
  private readonly outputWatermark: Gauge<Labels>;
  private readonly labelsOf = new Map<string, Record<Labels, string>>();
  /** The latest sample of each task with its record rates, for `GET /status` (the dashboard). */
  readonly samples = new TaskSamples();
  /** Slot threads alive, by state: `job` (a job's allocation holds it), `spare` (started, waiting for a job). */
  private countThreads: () => { job: number; spare: number } = () => ({ job: 0, spare: 0 });

  constructor(registry: Registry) {
    const gauge = (name: string, help: string): Gauge<Labels> =>
      new Gauge({ name: `rivulet_taskmanager_job_task_${name}`, help, labelNames: ['job_id', 'task_name', 'subtask_index'], registers: [registry] });
    this.busy = gauge('busyTimeMsPerSecond', 'Milliseconds per second the task was processing (neither idle nor back-pressured).');
    this.idle = gauge('idleTimeMsPerSecond', 'Milliseconds per second the task waited for input.');
    this.backPressured = gauge('backPressuredTimeMsPerSecond', 'Milliseconds per second the task waited for room in an output (backpressure).');
    this.inputWatermark = gauge('currentInputWatermark', 'Event time: the combined watermark of the task\'s inputs in ms since the epoch (-Inf before any watermark and at sources, +Inf after the end of input).');
    this.outputWatermark = gauge('currentOutputWatermark', 'Event time: the last watermark the task sent downstream in ms since the epoch (-Inf before any, +Inf after the end of input).');
    const count = (): { job: number; spare: number } => this.countThreads();
    new Gauge({
      name: 'rivulet_taskmanager_slot_threads',
      help: 'Slot threads alive, by state: job (held by a job\'s slot allocation, ended with it) or spare (started, waiting for the slot\'s next job).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const { job, spare } = count();
        this.set({ state: 'job' }, job);
        this.set({ state: 'spare' }, spare);
      },
    });
  }

  /** Where the slot-thread gauge reads its counts (at every scrape). */
  countSlotThreadsWith(count: () => { job: number; spare: number }): void {
    this.countThreads = count;
  }

  record(samples: readonly TaskTimeSample[], descriptorOf: (attemptId: string) => TaskDeploymentDescriptor | undefined): void {
    for (const sample of samples) {
      const d = descriptorOf(sample.attemptId);
      if (!d || sample.intervalMs <= 0) continue;
      this.samples.record(sample);
      const labels = { job_id: d.jobId, task_name: d.vertexName, subtask_index: String(d.subtaskIndex) };
      this.labelsOf.set(sample.attemptId, labels);
      const perSecond = (ms: number): number => Math.round((ms * 1000) / sample.intervalMs);
      this.busy.set(labels, perSecond(sample.busyMs));
      this.idle.set(labels, perSecond(sample.idleMs));
      this.backPressured.set(labels, perSecond(sample.backPressuredMs));
      this.inputWatermark.set(labels, sample.inputWatermark);
      this.outputWatermark.set(labels, sample.outputWatermark);
    }
  }

  /** The task ended: its series go. */
  forget(attemptId: string): void {
    this.samples.forget(attemptId);
    const labels = this.labelsOf.get(attemptId);
    if (!labels) return;
    this.labelsOf.delete(attemptId);
    for (const gauge of [this.busy, this.idle, this.backPressured, this.inputWatermark, this.outputWatermark]) gauge.remove(labels);
  }
}
