import type { LeaderSession } from '@rivulet/common';

/** One JobManager taking part in the election, as it published itself. */
export interface ElectionEntry {
  readonly rpcAddress: string;
  readonly restAddress?: string;
  /** Only the leader's record carries its session. */
  readonly leader: boolean;
}

export interface JobManagersSource {
  /** `high-availability.type`. */
  readonly highAvailability: string;
  readonly self: { readonly rpcAddress: string; readonly restAddress: string; readonly startTime: number };
  readonly session: () => LeaderSession | undefined;
  /** When this JobManager was last granted leadership (undefined while it does not lead). */
  readonly leaderSince: () => number | undefined;
  /** The election's candidates, leader first (etcd); undefined without HA: this JobManager is the only one. */
  readonly election?: () => Promise<readonly ElectionEntry[]>;
}

const entry = (rpcAddress: string, restAddress: string | undefined, leader: boolean) => ({
  'rpc-address': rpcAddress,
  'rest-address': restAddress ?? null,
  leader,
});

/**
 * `GET /jobmanagers`: this JobManager (`self`: leader or standby, start
 * time, since when it leads), the leader and every JobManager in the
 * election with its REST address. Without HA the answering JobManager is
 * the only one. The dashboard follows the leader with it.
 */
export async function jobManagersJson(source: JobManagersSource, now: number): Promise<Record<string, unknown>> {
  const leads = source.session() !== undefined;
  const candidates = source.election ? await source.election() : [{ rpcAddress: source.self.rpcAddress, restAddress: source.self.restAddress, leader: leads }];
  const jobmanagers = candidates.map((c) => entry(c.rpcAddress, c.restAddress, c.leader));
  const leader = jobmanagers.find((jm) => jm.leader) ?? null;
  return {
    'high-availability': source.highAvailability,
    self: { ...entry(source.self.rpcAddress, source.self.restAddress, leads), 'start-time': source.self.startTime, 'leader-since': source.leaderSince() ?? null },
    leader,
    jobmanagers,
    timestamp: now,
  };
}
