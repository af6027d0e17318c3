import { newLeaderSessionId, type LeaderSession } from '../ids.js';
import type { LeaderAddress, LeaderContender, LeaderElectionService, LeaderRetrievalService } from './leader.js';

/**
 * `high-availability.type: none`: the only JobManager leads from its start.
 * Its session epoch is its start time in milliseconds, so a restarted
 * JobManager fences out calls from its previous incarnation.
 */
export class StandaloneLeaderElectionService implements LeaderElectionService {
  private contender: LeaderContender | undefined;

  async start(contender: LeaderContender): Promise<void> {
    this.contender = contender;
    const session: LeaderSession = { sessionId: newLeaderSessionId(), epoch: Date.now() };
    contender.grantLeadership(session);
  }

  async stop(): Promise<void> {
    this.contender?.revokeLeadership();
    this.contender = undefined;
  }
}

/** `high-availability.type: none`: the leader is at the configured address. */
export class StandaloneLeaderRetrievalService implements LeaderRetrievalService {
  constructor(private readonly address: LeaderAddress) {}

  async start(listener: (leader: LeaderAddress | null) => void): Promise<void> {
    listener(this.address);
  }

  async stop(): Promise<void> {}
}
