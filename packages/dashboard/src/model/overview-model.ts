import { formatDuration } from './format.js';
import type { JobManagersResponse, OverviewResponse, TaskManagerRow } from './rest-types.js';

export interface OverviewModel {
  readonly taskManagers: number;
  readonly slotsTotal: number;
  readonly slotsAvailable: number;
  /** "3 of 8 in use". */
  readonly slotsInUse: string;
  readonly jobs: { readonly running: number; readonly finished: number; readonly cancelled: number; readonly failed: number };
  readonly leader: string;
  readonly standbys: readonly string[];
  readonly highAvailability: string;
  /** How long the leader has led (the cluster's uptime as the jobs see it). */
  readonly uptime: string;
  readonly jobManagerUptime: string;
}

/** `/overview` + `/jobmanagers` -> the overview page's figures. */
export function overviewModel(overview: OverviewResponse, jobManagers: JobManagersResponse | undefined, now: number): OverviewModel {
  const used = overview['slots-total'] - overview['slots-available'];
  const leader = jobManagers?.leader;
  const since = jobManagers?.self['leader-since'];
  return {
    taskManagers: overview.taskmanagers,
    slotsTotal: overview['slots-total'],
    slotsAvailable: overview['slots-available'],
    slotsInUse: `${used} of ${overview['slots-total']} in use`,
    jobs: {
      running: overview['jobs-running'],
      finished: overview['jobs-finished'],
      cancelled: overview['jobs-cancelled'],
      failed: overview['jobs-failed'],
    },
    leader: leader ? (leader['rest-address'] ?? leader['rpc-address']) : 'no leader',
    standbys: (jobManagers?.jobmanagers ?? []).filter((jm) => !jm.leader).map((jm) => jm['rest-address'] ?? jm['rpc-address']),
    highAvailability: jobManagers?.['high-availability'] ?? 'unknown',
    uptime: since ? formatDuration(now - since) : '—',
    jobManagerUptime: jobManagers ? formatDuration(now - jobManagers.self['start-time']) : '—',
  };
}

export interface TaskManagerListRow {
  readonly id: string;
  readonly address: string;
  readonly slots: string;
  readonly freeSlots: number;
  readonly slotsTotal: number;
  readonly heartbeat: string;
  /** The last heartbeat is older than twice the usual interval. */
  readonly late: boolean;
}

/** `/taskmanagers` -> rows sorted by id. */
export function taskManagerRows(rows: readonly TaskManagerRow[]): TaskManagerListRow[] {
  return [...rows]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((tm) => ({
      id: tm.id,
      address: tm.path,
      slots: `${tm.slotsNumber - tm.freeSlots}/${tm.slotsNumber} in use`,
      freeSlots: tm.freeSlots,
      slotsTotal: tm.slotsNumber,
      heartbeat: `${formatDuration(tm.timeSinceLastHeartbeat)} ago`,
      late: tm.timeSinceLastHeartbeat > 2500,
    }));
}
