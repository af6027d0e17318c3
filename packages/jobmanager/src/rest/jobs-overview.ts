import type { JobView } from '../jobstore/index.js';
import type { JobMaster } from '../jobmaster/job-master.js';

interface JobSummary {
  readonly parallelism: number;
  readonly tasks: Record<string, number>;
}

/**
 * `GET /jobs/overview`, Flink's shape (`jid`, `name`, `state`,
 * `start-time`, `end-time`, `duration`, `last-modification`, `tasks` by
 * state) plus `parallelism` (the highest of its vertices). A running job
 * is read from its JobMaster; an archived one from its archived details,
 * parsed once (an archive does not change) and kept while it is listed.
 */
export class JobsOverview {
  private readonly archived = new Map<string, JobSummary>();

  json(views: readonly JobView[], liveJob: (jobId: string) => JobMaster | undefined, now: number): Record<string, unknown> {
    const listed = new Set<string>();
    const jobs = views.map((view) => {
      listed.add(view.jobId);
      const master = liveJob(view.jobId);
      const summary = master ? liveSummary(master) : this.archivedSummary(view);
      const ended = view.endTime > 0;
      const lastModification = master ? Math.max(...Object.values(master.statusTimestamps)) : view.endTime;
      return {
        jid: view.jobId,
        name: view.name,
        state: view.status,
        'start-time': view.startTime,
        'end-time': ended ? view.endTime : -1,
        duration: (ended ? view.endTime : now) - view.startTime,
        'last-modification': lastModification,
        parallelism: summary.parallelism,
        tasks: summary.tasks,
      };
    });
    for (const jobId of this.archived.keys()) if (!listed.has(jobId)) this.archived.delete(jobId);
    return { jobs };
  }

  private archivedSummary(view: JobView): JobSummary {
    const known = this.archived.get(view.jobId);
    if (known) return known;
    const details = JSON.parse(view.detailsJson()) as { vertices?: { parallelism: number; tasks: Record<string, number> }[] };
    const tasks: Record<string, number> = {};
    for (const vertex of details.vertices ?? []) {
      for (const [state, count] of Object.entries(vertex.tasks)) tasks[state] = (tasks[state] ?? 0) + count;
    }
    const summary = { parallelism: Math.max(0, ...(details.vertices ?? []).map((v) => v.parallelism)), tasks };
    if (view.endTime > 0) this.archived.set(view.jobId, summary);
    return summary;
  }
}

function liveSummary(master: JobMaster): JobSummary {
  return { parallelism: master.graph.requiredSlots, tasks: master.graph.countByState() };
}
