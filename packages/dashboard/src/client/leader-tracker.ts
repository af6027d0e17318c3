import { signal } from '@preact/signals';
import { dashboardUrlOn, failoverCandidates, leaderDecision } from '../model/leader-following.js';
import type { JobManagersResponse } from '../model/rest-types.js';
import { connection } from './connection.js';
import { getJson } from './rest-client.js';

/** How often the dashboard asks who leads. */
const LEADER_POLL_MS = 3000;
/** Where the JobManagers heard of last are kept, so a reload after a leader died still knows the standbys. */
const STORAGE_KEY = 'rivulet.jobmanagers';
/** The JobManager this tab left because it did not answer, and when: a standby may still name it leader until its lease runs out. */
const LEFT_KEY = 'rivulet.left-unreachable';
const LEFT_MEMORY_MS = 60_000;

function leftRecently(address: string): boolean {
  try {
    const left = JSON.parse(sessionStorage.getItem(LEFT_KEY) ?? 'null') as { address: string; at: number } | null;
    return left !== null && left.address === address && Date.now() - left.at < LEFT_MEMORY_MS;
  } catch {
    return false;
  }
}

/** The answer of the last `GET /jobmanagers`. */
export const jobManagers = signal<JobManagersResponse | undefined>(undefined);
/** What the page tells about leadership: '' while this JobManager leads. */
export const leaderNotice = signal('');

function remembered(): JobManagersResponse['jobmanagers'] {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as JobManagersResponse['jobmanagers'];
  } catch {
    return [];
  }
}

function moveTo(restAddress: string, why: string): void {
  leaderNotice.value = `${why}: moving to ${restAddress}`;
  window.location.replace(dashboardUrlOn(restAddress, window.location.protocol, window.location.hash));
}

/** Reaches any of the other JobManagers heard of; moves there (it sends the page on to the leader if it is a standby). */
async function findAnotherJobManager(): Promise<void> {
  for (const address of failoverCandidates(remembered(), window.location.host)) {
    try {
      // Another origin: the answer is opaque, but that it answered is enough to go there.
      await fetch(`${window.location.protocol}//${address}/jobmanagers`, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(1500) });
      sessionStorage.setItem(LEFT_KEY, JSON.stringify({ address: window.location.host, at: Date.now() }));
      moveTo(address, 'this JobManager does not answer');
      return;
    } catch {
      // not reachable either: try the next
    }
  }
}

/**
 * Follows the leader: asks `GET /jobmanagers` every few seconds, moves the
 * page to the leader when this JobManager is a standby, and when this one
 * stops answering moves to another JobManager it has heard of.
 */
export function startLeaderTracking(): void {
  let failures = 0;
  const tick = async (): Promise<void> => {
    try {
      const answer = await getJson<JobManagersResponse>('/jobmanagers');
      failures = 0;
      jobManagers.value = answer;
      if (answer.jobmanagers.length > 0) localStorage.setItem(STORAGE_KEY, JSON.stringify(answer.jobmanagers));
      const decision = leaderDecision(answer, window.location.host);
      if (decision.action === 'move' && leftRecently(decision.restAddress)) {
        // The election still names the JobManager that stopped answering: its lease has not run out yet.
        leaderNotice.value = `This JobManager is a standby; the leader ${decision.restAddress} does not answer: waiting for a new leader`;
      } else if (decision.action === 'move') {
        moveTo(decision.restAddress, 'this JobManager is a standby');
      } else {
        leaderNotice.value = decision.action === 'wait' ? 'No JobManager leads right now (an election is under way): waiting for a leader' : '';
      }
    } catch {
      failures += 1;
      if (failures >= 2 || connection.value.failures >= 2) await findAnotherJobManager();
    }
  };
  void tick();
  setInterval(() => void tick(), LEADER_POLL_MS);
}
