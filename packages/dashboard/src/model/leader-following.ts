import type { JobManagersResponse } from './rest-types.js';

/**
 * Where the dashboard should be served from: the leading JobManager. A
 * standby answers the REST API with an empty cluster, so a dashboard
 * opened on a standby, or left open on a leader that lost its leadership
 * or died, moves to the leader's REST address (keeping its page, the hash).
 */
export type LeaderDecision =
  | { readonly action: 'stay' }
  /** This JobManager does not lead and the leader is elsewhere: go there. */
  | { readonly action: 'move'; readonly restAddress: string }
  /** Nobody leads right now (an election is under way): keep asking. */
  | { readonly action: 'wait' };

/** What to do given the answer of `GET /jobmanagers` from the JobManager at `currentHost` (host:port). */
export function leaderDecision(response: JobManagersResponse, currentHost: string): LeaderDecision {
  if (response.self.leader) return { action: 'stay' };
  const target = response.leader?.['rest-address'];
  if (!target) return { action: 'wait' };
  return target === currentHost ? { action: 'stay' } : { action: 'move', restAddress: target };
}

/**
 * The JobManagers to try, in order, once the current one stopped answering:
 * every REST address the dashboard has heard of (leader first), but the
 * current one.
 */
export function failoverCandidates(known: readonly JobManagersResponse['jobmanagers'][number][], currentHost: string): string[] {
  const ordered = [...known].sort((a, b) => Number(b.leader) - Number(a.leader));
  const addresses = ordered.map((jm) => jm['rest-address']).filter((a): a is string => !!a && a !== currentHost);
  return [...new Set(addresses)];
}

/** The dashboard's URL on another JobManager, on the same page. */
export function dashboardUrlOn(restAddress: string, protocol: string, hash: string): string {
  return `${protocol}//${restAddress}/${hash}`;
}
