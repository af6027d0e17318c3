import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, type Registry } from '@rivulet/common';

/** Buckets (seconds) of the heartbeat send delay: 5 ms to 10 s. */
export const HEARTBEAT_SEND_DELAY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The event loop is sampled every this many ms: a sample is how late that timer fired. */
const EVENT_LOOP_RESOLUTION_MS = 10;
/** The event-loop gauges report the last window of at least this long, closed at a scrape. */
const EVENT_LOOP_WINDOW_MS = 10_000;

/** TaskManager metrics under the `rivulet_taskmanager_` prefix. */
export class TaskManagerMetrics {
  readonly slotsTotal: Gauge;
  readonly slotsAvailable: Gauge;
  readonly registered: Gauge;
  readonly registrations: Counter;
  readonly jobManagerConnectionsLost: Counter<'reason'>;
  /** How late each heartbeat left, relative to `heartbeat.interval`. */
  readonly heartbeatSendDelay: Histogram;
  readonly heartbeatSendDelayMax: Gauge;
  private largestSendDelayMs = 0;
  private readonly eventLoop: EventLoopDelayWindow;

  /** `freeSlots` is read at every scrape: slots are allocated and freed by the JobManager's calls. */
  constructor(registry: Registry, freeSlots: () => number) {
    this.slotsTotal = new Gauge({
      name: 'rivulet_taskmanager_Status_TaskSlots_total',
      help: 'Slots this TaskManager offers.',
      registers: [registry],
    });
    this.slotsAvailable = new Gauge({
      name: 'rivulet_taskmanager_Status_TaskSlots_available',
      help: 'Slots of this TaskManager not allocated to a job.',
      registers: [registry],
      collect() {
        this.set(freeSlots());
      },
    });
    this.registered = new Gauge({
      name: 'rivulet_taskmanager_registered',
      help: '1 while registered with a JobManager, else 0.',
      registers: [registry],
    });
    this.registrations = new Counter({
      name: 'rivulet_taskmanager_registrations_total',
      help: 'Successful registrations with a JobManager.',
      registers: [registry],
    });
    this.jobManagerConnectionsLost = new Counter({
      name: 'rivulet_taskmanager_jobmanager_connections_lost_total',
      help: 'Registrations that ended, by reason (stream-ended, heartbeat-timeout, refused).',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.heartbeatSendDelay = new Histogram({
      name: 'rivulet_taskmanager_heartbeat_send_delay_seconds',
      help: 'How late each heartbeat to the JobManager left, relative to heartbeat.interval: the event-loop delay of the thread that sends it.',
      buckets: HEARTBEAT_SEND_DELAY_BUCKETS,
      registers: [registry],
    });
    this.heartbeatSendDelayMax = new Gauge({
      name: 'rivulet_taskmanager_heartbeat_send_delay_max_seconds',
      help: 'The largest heartbeat send delay since this TaskManager started.',
      registers: [registry],
    });

    const eventLoop = (this.eventLoop = new EventLoopDelayWindow(EVENT_LOOP_RESOLUTION_MS, EVENT_LOOP_WINDOW_MS));
    const windowGauge = (name: string, help: string, read: (w: EventLoopDelayStats) => number): Gauge =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(eventLoop.lastWindow()) / 1000);
        },
      });
    windowGauge(
      'rivulet_taskmanager_eventloop_delay_p50_seconds',
      'Median event-loop delay of the TaskManager main thread over the last window of at least 10 s (not reset by a scrape).',
      (w) => w.p50Ms,
    );
    windowGauge(
      'rivulet_taskmanager_eventloop_delay_p99_seconds',
      '99th percentile of the event-loop delay of the TaskManager main thread over the last window of at least 10 s.',
      (w) => w.p99Ms,
    );
    windowGauge(
      'rivulet_taskmanager_eventloop_delay_max_seconds',
      'Largest event-loop delay of the TaskManager main thread over the last window of at least 10 s.',
      (w) => w.maxMs,
    );
  }

  observeHeartbeatSendDelay(delayMs: number): void {
    this.heartbeatSendDelay.observe(delayMs / 1000);
    if (delayMs > this.largestSendDelayMs) {
      this.largestSendDelayMs = delayMs;
      this.heartbeatSendDelayMax.set(delayMs / 1000);
    }
  }

  /** Stops sampling the event loop. */
  close(): void {
    this.eventLoop.close();
  }
}

export interface EventLoopDelayStats {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Samples in the window. */
  readonly samples: number;
  readonly windowMs: number;
}

/**
 * Event-loop delay of this thread, in windows: a timer due every
 * `resolutionMs` records how late it fires, a window closes at the first
 * read after it lasted `windowMs`, and reads answer the last closed window
 * (before the first closes, the one so far), so a second scraper does not
 * shorten what the first one sees. Not `perf_hooks.monitorEventLoopDelay`:
 * its `reset()` forgets when it last sampled, so a block that begins right
 * after a reset — a scrape, then a task's long batch — is not recorded at
 * all (prom-client's `nodejs_eventloop_lag_*` reset at every scrape and miss
 * it that way). Here the previous sample's time survives the window change.
 */
export class EventLoopDelayWindow {
  private histogram: RecordableHistogram = createHistogram();
  private windowStart = performance.now();
  private lastSample = this.windowStart;
  private closed: EventLoopDelayStats | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolutionMs: number,
    private readonly windowMs: number,
  ) {
    this.timer = setInterval(() => {
      const now = performance.now();
      // record() takes integers >= 1 (ns).
      this.histogram.record(Math.max(1, Math.round((now - this.lastSample - resolutionMs) * 1e6)));
      this.lastSample = now;
    }, resolutionMs);
    this.timer.unref();
  }

  lastWindow(): EventLoopDelayStats {
    const now = performance.now();
    if (now - this.windowStart >= this.windowMs) {
      this.closed = this.current(now);
      this.histogram = createHistogram();
      this.windowStart = now;
    }
    return this.closed ?? this.current(now);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private current(now: number): EventLoopDelayStats {
    const h = this.histogram;
    const ms = (ns: number): number => (h.count === 0 ? 0 : ns / 1e6);
    return {
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      samples: h.count,
      windowMs: now - this.windowStart,
    };
  }
}
