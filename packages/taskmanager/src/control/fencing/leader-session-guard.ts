import { FencingError, type LeaderSession, type LeaderSessionId, type pb } from '@rivulet/common';

/**
 * Guards a TaskManager against a deposed leader: it remembers the newest
 * leader session seen (by epoch) and refuses calls carrying an older one.
 * Invariant: the accepted epoch never goes back.
 */
export class LeaderSessionGuard {
  private newest: LeaderSession | undefined;

  get current(): LeaderSession | undefined {
    return this.newest;
  }

  /** Records a session learned from the leader (registration, heartbeat). */
  observe(session: LeaderSession): void {
    if (this.newest === undefined || session.epoch > this.newest.epoch) this.newest = session;
  }

  /** Throws FencingError unless the call's session is the newest (or newer). */
  check(message: pb.LeaderSessionMessage__Output | null | undefined): LeaderSession {
    if (!message || !message.sessionId) {
      throw new FencingError('call carries no leader session');
    }
    const session: LeaderSession = { sessionId: message.sessionId as LeaderSessionId, epoch: message.epoch };
    if (this.newest !== undefined) {
      if (session.epoch < this.newest.epoch) {
        throw new FencingError(
          `call from leader session ${session.sessionId} (epoch ${session.epoch}) refused: a newer leader (epoch ${this.newest.epoch}) is known`,
        );
      }
      if (session.epoch === this.newest.epoch && session.sessionId !== this.newest.sessionId) {
        throw new FencingError(`call from unknown leader session ${session.sessionId} at epoch ${session.epoch} refused`);
      }
    }
    this.observe(session);
    return session;
  }
}
