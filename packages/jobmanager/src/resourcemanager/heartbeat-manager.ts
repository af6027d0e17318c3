import * as grpc from '@grpc/grpc-js';
import type { LeaderSession, Logger, RegistrationId, pb } from '@rivulet/common';
import type { TaskManagerRegistry } from './task-manager-registry.js';

type HeartbeatStream = grpc.ServerDuplexStream<pb.TaskManagerHeartbeat__Output, pb.JobManagerHeartbeat>;

export interface HeartbeatSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Owns the heartbeat stream of every registered TaskManager.
 *
 * A TaskManager is lost when its stream breaks (at once: the process died or
 * the connection dropped) or when it has been silent for `timeoutMs`. Either
 * way the registry removes it and its stream is closed, which tells a
 * TaskManager that is still alive to register again — except one that said
 * it leaves (graceful shutdown), which closes its stream itself. A tick that
 * comes late (this JobManager's own event loop was busy) judges nobody: the
 * heartbeats that arrived meanwhile are read first. The JobManager sends
 * its own heartbeat every `intervalMs` so TaskManagers detect a silent leader.
 */
export class HeartbeatManager {
  private readonly streams = new Map<RegistrationId, HeartbeatStream>();
  private timer: NodeJS.Timeout | undefined;
  private session: LeaderSession | undefined;

  constructor(
    private readonly registry: TaskManagerRegistry,
    private readonly settings: HeartbeatSettings,
    private readonly log: Logger,
  ) {
    registry.on('lost', (registration, reason) => {
      const stream = this.streams.get(registration.registrationId);
      if (!stream) return;
      this.streams.delete(registration.registrationId);
      // A broken stream needs no closing; a leaving TaskManager closes its own
      // (errored here, it would register again before it stops). It gets no
      // further heartbeats, so one that does not leave after all times out and registers again.
      if (reason === 'connection' || reason === 'graceful-shutdown') return;
      stream.emit('error', { code: grpc.status.UNAVAILABLE, details: `registration ended: ${reason}` });
    });
  }

  start(session: LeaderSession): void {
    this.session = session;
    const tickMs = Math.max(20, Math.min(this.settings.intervalMs, 200));
    let sinceLastSend = 0;
    let lastTick = performance.now();
    let passedOver = false;
    this.timer = setInterval(() => {
      const now = performance.now();
      const lateMs = now - lastTick - tickMs;
      lastTick = now;
      sinceLastSend += tickMs;
      if (sinceLastSend >= this.settings.intervalMs) {
        sinceLastSend = 0;
        this.sendHeartbeats();
      }
      // This JobManager was stalled (its event loop busy for more than a tick): the heartbeats that
      // arrived meanwhile wait in its sockets, and timers run before sockets are read. A silence
      // of its own making is not the TaskManagers'; they are judged at the next tick, after it read them.
      // One tick at most is passed over, so a JobManager that stays overloaded still finds dead TaskManagers.
      if (lateMs > tickMs && !passedOver) {
        passedOver = true;
        this.log.warn({ stalledMs: Math.round(lateMs) }, 'the JobManager was stalled; TaskManager heartbeats are judged at the next tick');
        return;
      }
      passedOver = false;
      this.registry.expireSilent(this.settings.timeoutMs);
    }, tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
  }

  /** Serves one Heartbeat stream; the first message names the registration. */
  attach(stream: HeartbeatStream): void {
    let registrationId: RegistrationId | undefined;
    const onGone = (why: string): void => {
      if (registrationId === undefined || this.streams.get(registrationId) !== stream) return;
      this.streams.delete(registrationId);
      this.registry.remove(registrationId, 'connection', why);
    };
    stream.on('data', (heartbeat: pb.TaskManagerHeartbeat__Output) => {
      if (registrationId === undefined) {
        const registration = this.registry.get(heartbeat.registrationId);
        if (!registration) {
          stream.emit('error', {
            code: grpc.status.NOT_FOUND,
            details: `unknown registration id "${heartbeat.registrationId}": register again`,
          });
          return;
        }
        registrationId = registration.registrationId;
        this.streams.get(registrationId)?.end();
        this.streams.set(registrationId, stream);
        this.send(stream);
      } else if (heartbeat.registrationId !== registrationId) {
        this.log.warn({ registrationId, got: heartbeat.registrationId }, 'heartbeat stream changed registration id; ignored');
        return;
      }
      this.registry.heartbeat(registrationId, heartbeat.slots);
    });
    stream.on('cancelled', () => onGone('heartbeat connection broken'));
    stream.on('error', (err: Error) => onGone(`heartbeat stream failed: ${err.message}`));
    stream.on('end', () => {
      onGone('TaskManager closed its heartbeat stream');
      stream.end();
    });
  }

  private sendHeartbeats(): void {
    for (const stream of this.streams.values()) this.send(stream);
  }

  private send(stream: HeartbeatStream): void {
    if (!this.session) return;
    stream.write({ leader: { sessionId: this.session.sessionId, epoch: this.session.epoch } });
  }
}
