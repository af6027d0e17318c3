import { signal } from '@preact/signals';
import { dashboardUrlOn, failoverCandidates, leaderDecision } from '../model/leader-following.js';
import type { JobManagersResponse } from '../model/rest-types.js';
import { connection } from './connection.js';
import { getJson } from './rest-client.js';
import { JOBMANAGERS_PATH } from '../model/page-requests.js';

/** How often the dashboard asks who leads. */
const LEADER_POLL_MS = 3000;
/** Where the JobManagers heard of last are kept, so a reload after a leader died still knows the standbys. */
const STORAGE_KEY = 'rivulet.jobmanagers';
/** How long a JobManager has to answer before the page counts it unreachable. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * Whether the JobManager at `address` (host:port) answers at all. Another
 * origin: the answer is opaque, but that it answered is enough. Asked before
 * every move, because a standby names the leader it last saw until that
 * leader's lease runs out, also when the leader died.
 */
async function answers(address: string): Promise<boolean> {
  try {
    await fetch(`${window.location.protocol}//${address}/jobmanagers`, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return true;
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
    if (await answers(address)) {
      moveTo(address, 'this JobManager does not answer');
      return;
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
  let asking = false;
  const tick = async (): Promise<void> => {
    if (asking) return; // the last tick still waits for an answer or a probe
    asking = true;
    try {
      const answer = await getJson<JobManagersResponse>(JOBMANAGERS_PATH);
      failures = 0;
      jobManagers.value = answer;
      if (answer.jobmanagers.length > 0) localStorage.setItem(STORAGE_KEY, JSON.stringify(answer.jobmanagers));
      const decision = leaderDecision(answer, window.location.host);
      if (decision.action === 'move') {
        if (await answers(decision.restAddress)) moveTo(decision.restAddress, 'this JobManager is a standby');
        // The election still names a leader that does not answer: its lease has not run out yet.
        else leaderNotice.value = `This JobManager is a standby; the leader ${decision.restAddress} does not answer: waiting for a new leader`;
      } else {
        leaderNotice.value = decision.action === 'wait' ? 'No JobManager leads right now (an election is under way): waiting for a leader' : '';
      }
    } catch {
      failures += 1;
      if (failures >= 2 || connection.value.failures >= 2) await findAnotherJobManager();
    } finally {
      asking = false;
    }
  };
  void tick();
  setInterval(() => void tick(), LEADER_POLL_MS);
}
