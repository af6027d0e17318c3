import type * as grpc from '@grpc/grpc-js';
import type { LeaderSession, LeaderSessionId, pb } from '@rivulet/common';

export interface HeartbeatStreamOptions {
  readonly stream: grpc.ClientDuplexStream<pb.TaskManagerHeartbeat, pb.JobManagerHeartbeat__Output>;
  readonly registrationId: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly slots: () => pb.SlotStatus[];
  readonly onLeaderHeartbeat: (session: LeaderSession) => void;
  /**
   * Called at every interval tick with how late it fired, in ms: the time
   * since the previous tick minus `intervalMs` — how long this thread's
   * event loop kept the heartbeat waiting.
   */
  readonly onSendDelay?: (delayMs: number) => void;
  /** Any of these aborting ends the stream (stopping, leader changed). */
  readonly signals: readonly AbortSignal[];
}

export interface HeartbeatStreamEnd {
  readonly reason: 'stream-ended' | 'heartbeat-timeout' | 'aborted';
  readonly detail: string;
}

/**
 * Runs one registration's heartbeat stream: sends a heartbeat with the slot
 * report every `intervalMs` (reporting how late each one leaves) and resolves (never rejects) when the stream
 * ends, the leader has been silent for `timeoutMs`, or a signal aborts.
 */
export function runHeartbeatStream(options: HeartbeatStreamOptions): Promise<HeartbeatStreamEnd> {
  const { stream } = options;
  return new Promise((resolve) => {
    let lastFromLeader = Date.now();
    let finished = false;
    const finish = (end: HeartbeatStreamEnd): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      for (const signal of options.signals) signal.removeEventListener('abort', onAbort);
      stream.cancel();
      resolve(end);
    };
    const send = (): void => {
      stream.write({ registrationId: options.registrationId, slots: options.slots() });
    };
    let lastTick = performance.now();
    const timer = setInterval(() => {
      const tick = performance.now();
      options.onSendDelay?.(Math.max(0, tick - lastTick - options.intervalMs));
      lastTick = tick;
      const silentMs = Date.now() - lastFromLeader;
      if (silentMs > options.timeoutMs) {
        finish({ reason: 'heartbeat-timeout', detail: `no heartbeat from the JobManager for ${silentMs} ms` });
        return;
      }
      send();
    }, options.intervalMs);
    const onAbort = (): void => finish({ reason: 'aborted', detail: 'stopping or leader changed' });
    for (const signal of options.signals) {
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    }
    stream.on('data', (heartbeat: pb.JobManagerHeartbeat__Output) => {
      lastFromLeader = Date.now();
      if (heartbeat.leader) {
        options.onLeaderHeartbeat({ sessionId: heartbeat.leader.sessionId as LeaderSessionId, epoch: heartbeat.leader.epoch });
      }
    });
    stream.on('error', (err: grpc.ServiceError) => finish({ reason: 'stream-ended', detail: err.details || err.message }));
    stream.on('end', () => finish({ reason: 'stream-ended', detail: 'the JobManager closed the heartbeat stream' }));
    if (!finished) send();
  });
}
