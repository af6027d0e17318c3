import type { LeaderSession, LeaderSessionId } from '../ids.js';

/** Where the current leader serves, as published by it and found by others. */
export interface LeaderAddress {
  /** host:port of the JobManager gRPC server. */
  readonly rpcAddress: string;
  /** host:port of the JobManager REST server, when known. */
  readonly restAddress?: string;
  /** The leader's session, when the retrieval service knows it (etcd). */
  readonly sessionId?: LeaderSessionId;
  /** The session's epoch (fencing order), together with `sessionId`. */
  readonly epoch?: number;
}

/**
 * The JobManager side of an election. Leadership arrives as `grant` with a
 * new session and leaves as `revoke`; a contender that was revoked must stop
 * acting as leader before `revoke` returns.
 */
export interface LeaderContender {
  grantLeadership(session: LeaderSession): void;
  revokeLeadership(): void;
}

/** How a JobManager takes part in leader election (standalone, etcd, ...). */
export interface LeaderElectionService {
  start(contender: LeaderContender, address: LeaderAddress): Promise<void>;
  stop(): Promise<void>;
}

/** How TaskManagers and clients find the leader. `null` means no leader known. */
export interface LeaderRetrievalService {
  start(listener: (leader: LeaderAddress | null) => void): Promise<void>;
  stop(): Promise<void>;
}
