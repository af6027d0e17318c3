import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Registry } from '@rivulet/common';

/** One second of the TaskManager's resources, as `GET /status` lists them. */
export interface ResourceSample {
  readonly t: number;
  /** Cores the process used over the second (all threads: control and slots). */
  readonly cpu: number;
  readonly 'heap-used': number;
  readonly 'heap-total': number;
  readonly rss: number;
  /** Event-loop delay of the control thread (RPC, heartbeats, network) over the second. */
  readonly 'event-loop-delay-p99-ms': number;
  readonly 'event-loop-delay-max-ms': number;
  /** Network buffers queued (Shuffle_inputQueueLength / outputQueueLength). */
  readonly 'input-queue': number;
  readonly 'output-queue': number;
  readonly 'bytes-in-per-second': number;
  readonly 'bytes-out-per-second': number;
}

/** Samples kept: five minutes at one a second. */
export const HISTORY_SAMPLES = 300;
export const SAMPLE_INTERVAL_MS = 1000;

/**
 * The TaskManager's resources second by second over the last five minutes,
 * for the dashboard's TaskManager page: CPU, memory, the control thread's
 * event-loop delay, network buffers and bytes. Network figures and the
 * heartbeat send delay are read from the TaskManager's own metrics (the
 * values /metrics serves). Costs one timer a second on the control thread.
 */
export class ResourceHistory {
  private readonly samples: ResourceSample[] = [];
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private lastBytes: { in: number; out: number } | undefined;
  private lastHeartbeats: { sum: number; count: number } | undefined;
  /** Mean delay of the heartbeats sent in the last interval that sent any, ms. */
  heartbeatSendDelayMs: number | null = null;
  network = { connections: 0, 'bytes-in': 0, 'bytes-out': 0 };

  constructor(private readonly registry: Registry) {}

  start(): void {
    if (this.timer) return;
    this.delay.enable();
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.delay.disable();
  }

  history(): readonly ResourceSample[] {
    return this.samples;
  }

  private async sample(): Promise<void> {
    const at = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, at - this.lastAt);
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    const memory = process.memoryUsage();
    const p99 = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0;
    const max = this.delay.count > 0 ? this.delay.max / 1e6 : 0;
    this.delay.reset();
    const gauge = async (name: string): Promise<number> => {
      const values = (await this.registry.getSingleMetric(name)?.get())?.values ?? [];
      return values.reduce((sum, v) => sum + (Number.isFinite(v.value) ? v.value : 0), 0);
    };
    const [bytesIn, bytesOut, inputQueue, outputQueue, connections] = await Promise.all([
      gauge('rivulet_taskmanager_Shuffle_numBytesInRemote'),
      gauge('rivulet_taskmanager_Shuffle_numBytesOut'),
      gauge('rivulet_taskmanager_Shuffle_inputQueueLength'),
      gauge('rivulet_taskmanager_Shuffle_outputQueueLength'),
      gauge('rivulet_taskmanager_Shuffle_connections'),
    ]);
    await this.readHeartbeatDelay();
    const previous = this.lastBytes;
    this.lastBytes = { in: bytesIn, out: bytesOut };
    this.network = { connections, 'bytes-in': bytesIn, 'bytes-out': bytesOut };
    const rate = (now: number, before: number | undefined): number => (before === undefined ? 0 : Math.max(0, Math.round(((now - before) * 1000) / elapsedMs)));
    this.samples.push({
      t: Date.now(),
      cpu: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100) / 100,
      'heap-used': memory.heapUsed,
      'heap-total': memory.heapTotal,
      rss: memory.rss,
      'event-loop-delay-p99-ms': Math.round(p99 * 10) / 10,
      'event-loop-delay-max-ms': Math.round(max * 10) / 10,
      'input-queue': inputQueue,
      'output-queue': outputQueue,
      'bytes-in-per-second': rate(bytesIn, previous?.in),
      'bytes-out-per-second': rate(bytesOut, previous?.out),
    });
    if (this.samples.length > HISTORY_SAMPLES) this.samples.shift();
  }

  /** The heartbeat send-delay histogram's sum and count since the previous sample give the mean delay of the heartbeats in between. */
  private async readHeartbeatDelay(): Promise<void> {
    const values = (await this.registry.getSingleMetric('rivulet_taskmanager_heartbeat_send_delay_seconds')?.get())?.values ?? [];
    const sum = values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'))?.value ?? 0;
    const count = values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
    const previous = this.lastHeartbeats;
    this.lastHeartbeats = { sum, count };
    if (previous && count > previous.count) this.heartbeatSendDelayMs = Math.round(((sum - previous.sum) / (count - previous.count)) * 1000 * 10) / 10;
  }
}
