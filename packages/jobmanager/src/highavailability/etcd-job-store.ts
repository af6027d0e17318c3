/**
 * The submitted jobs of a cluster in etcd, one record per job at
 * `/rivulet/<cluster-id>/jobs/<job-id>` (JSON `StoredJob`): what a new leader
 * needs to take a job on — its graph, the bundle's hash in the blob store, its
 * configuration, what it restores from, and its status.
 *
 * Invariants:
 * - A job id has at most one record: `put` creates it only when the key does
 *   not exist. The same submission again is a no-op (a retried put); a
 *   different one under the same id is refused. A JobManager submitting while
 *   it loses the lease is refused (`FencingError`) and must not run the job;
 *   once `put` resolved the job is the cluster's, and a new leader runs it.
 *   After an etcd timeout the outcome is unknown: the caller must not run the
 *   job, and may `put` it again, which settles it either way.
 * - Every write is fenced (leader-fence.ts) and every value is at most 1 MiB.
 * - `remove` deletes a job's record, its checkpoint id counter and its
 *   checkpoint pointer in one transaction: a job's HA data goes when it
 *   reaches a terminal state, all at once.
 */
import type { JobGraph } from '@rivulet/api';
import { RivuletError, errorMessage, withEtcdDeadline, type JobStatus } from '@rivulet/common';
import { z } from 'zod';
import { parseJobGraph } from '../jobgraph/parse-job-graph.js';
import { CorruptedHaRecordError } from './errors.js';
import { boundedValue, checkpointCounterKey, checkpointsPrefix, jobKey, jobsPrefix, type HaKeySettings } from './ha-keys.js';
import {
  CAS_MAX_ATTEMPTS,
  commitFenced,
  rangeResult,
  type EtcdStoreOptions,
  type KeyValue,
} from './leader-fence.js';

/** A submitted job, as the HA job store keeps it. */
export interface StoredJob {
  readonly jobId: string;
  readonly name: string;
  /** The job graph the dispatcher parsed (validated again when read). */
  readonly jobGraph: JobGraph;
  /** The bundle in the blob store. */
  readonly bundleSha256: string;
  /** Job-scoped configuration, as submitted (`SubmitJobRequest.job_config_json`). */
  readonly jobConfigJson: string;
  /** The snapshot the job was submitted to start from. */
  readonly restore?: { readonly savepointPath: string; readonly allowNonRestoredState: boolean };
  /** Epoch milliseconds. */
  readonly submittedAt: number;
  readonly status: JobStatus;
}

const STATUSES: Record<JobStatus, true> = {
  CREATED: true,
  RUNNING: true,
  FAILING: true,
  RESTARTING: true,
  CANCELLING: true,
  CANCELED: true,
  FINISHED: true,
  FAILED: true,
  SUSPENDED: true,
};

const storedJobSchema = z.strictObject({
  jobId: z.string().min(1),
  name: z.string(),
  jobGraph: z.unknown(),
  bundleSha256: z.string().min(1),
  jobConfigJson: z.string(),
  restore: z.strictObject({ savepointPath: z.string().min(1), allowNonRestoredState: z.boolean() }).optional(),
  submittedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  status: z.enum(Object.keys(STATUSES) as [JobStatus, ...JobStatus[]]),
});

export class EtcdJobStore {
  constructor(private readonly options: EtcdStoreOptions) {}

  /**
   * Records a submitted job (fenced). Resolves when it is stored, also when
   * this submission was stored before; rejects with a RivuletError (JOB) when
   * another submission holds the id, with EtcdValueTooLargeError above 1 MiB,
   * with FencingError when this JobManager no longer leads. `status` is only
   * the initial one: `updateStatus` changes it.
   */
  async put(job: StoredJob): Promise<void> {
    const { client, fence, settings, timeoutMs } = this.options;
    const key = jobKey(settings, job.jobId);
    const value = boundedValue(JSON.stringify(job), { jobId: job.jobId, key, what: 'stored job (graph and submission)' });
    // What a new leader could not read back would block `list()` for every job: refused here.
    const check = decodeStoredJob(key, value, settings);
    if (check.kind === 'invalid') throw new RivuletError('JOB', `job ${job.jobId} cannot be stored: ${check.problem}`);
    const outcome = await commitFenced(
      client,
      fence,
      {
        compares: [[key, 'Create', '==', 0]],
        writes: [client.put(key).value(value)],
        readsOnConflict: [client.get(key)],
      },
      `store of job ${job.jobId}`,
      { timeoutMs },
    );
    if (outcome.succeeded) return;
    const existing = rangeResult(outcome.responses, 0);
    this.decode(key, existing); // a damaged record is reported as such, not as another submission
    if (existing !== undefined && sameSubmission(existing.value, value)) return;
    throw new RivuletError('JOB', `job ${job.jobId} is stored already, from another submission: a job id is stored once`);
  }

  /** The job's record, or undefined. */
  async get(jobId: string): Promise<StoredJob | undefined> {
    const key = jobKey(this.options.settings, jobId);
    const response = await withEtcdDeadline(this.options.client.get(key).exec(), `read of stored job ${jobId}`, {
      timeoutMs: this.options.timeoutMs,
    });
    const kv = response.kvs[0];
    return kv === undefined ? undefined : this.decode(key, kv);
  }

  /** Every stored job, oldest submission first (one range read of the whole prefix). */
  async list(): Promise<StoredJob[]> {
    const response = await withEtcdDeadline(
      this.options.client.getAll().prefix(jobsPrefix(this.options.settings)).exec(),
      'read of the stored jobs',
      { timeoutMs: this.options.timeoutMs },
    );
    const jobs = response.kvs.map((kv) => this.decode(kv.key.toString('utf8'), kv));
    return jobs.sort((a, b) => a.submittedAt - b.submittedAt || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
  }

  /**
   * Sets the job's status (fenced, compare-and-swap on the record). Rejects
   * with a RivuletError (NOT_FOUND) when the job is not stored.
   */
  async updateStatus(jobId: string, status: JobStatus): Promise<void> {
    const { client, fence, settings, timeoutMs } = this.options;
    if (STATUSES[status] !== true) throw new RangeError(`not a job status: ${String(status)}`);
    const key = jobKey(settings, jobId);
    const operation = `status update of stored job ${jobId} to ${status}`;
    let kv = (await withEtcdDeadline(client.get(key).exec(), `read before ${operation}`, { timeoutMs })).kvs[0];
    for (let attempt = 1; ; attempt += 1) {
      if (kv === undefined) throw new RivuletError('NOT_FOUND', `job ${jobId} is not in the HA job store`);
      const existing = this.decode(key, kv);
      if (existing.status === status) return;
      const value = boundedValue(JSON.stringify({ ...existing, status }), { jobId, key, what: 'stored job (graph and submission)' });
      const outcome = await commitFenced(
        client,
        fence,
        {
          compares: [[key, 'Mod', '==', kv.mod_revision]],
          writes: [client.put(key).value(value)],
          readsOnConflict: [client.get(key)],
        },
        operation,
        { timeoutMs },
      );
      if (outcome.succeeded) return;
      if (attempt >= CAS_MAX_ATTEMPTS) {
        throw new RivuletError('CLUSTER', `${operation} lost to concurrent writers ${attempt} times in a row; gave up`);
      }
      kv = rangeResult(outcome.responses, 0);
    }
  }

  /**
   * Deletes all of the job's HA data in one fenced transaction: its record,
   * its checkpoint id counter and its checkpoint pointer (every key under
   * `checkpoints/<job-id>/`). Resolves also when none was there.
   */
  async remove(jobId: string): Promise<void> {
    const { client, fence, settings, timeoutMs } = this.options;
    await commitFenced(
      client,
      fence,
      {
        writes: [
          client.delete().key(jobKey(settings, jobId)),
          client.delete().key(checkpointCounterKey(settings, jobId)),
          client.delete().prefix(checkpointsPrefix(settings, jobId)),
        ],
      },
      `removal of the HA data of job ${jobId}`,
      { timeoutMs },
    );
  }

  private decode(key: string, kv: KeyValue | undefined): StoredJob {
    if (kv === undefined) throw new CorruptedHaRecordError(key, 'the record vanished while it was read');
    const decoded = decodeStoredJob(key, kv.value, this.options.settings);
    if (decoded.kind === 'invalid') throw new CorruptedHaRecordError(key, decoded.problem, { cause: decoded.cause });
    return decoded.job;
  }
}

type Decoded = { readonly kind: 'valid'; readonly job: StoredJob } | { readonly kind: 'invalid'; readonly problem: string; readonly cause?: unknown };

/** The record in `bytes`, stored at `key`, validated as a new leader needs it (the job graph included). */
function decodeStoredJob(key: string, bytes: Buffer, settings: HaKeySettings): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { kind: 'invalid', problem: 'not JSON', cause: err };
  }
  const parsed = storedJobSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', problem: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const { restore, ...record } = parsed.data;
  if (record.jobId.includes('/') || key !== jobKey(settings, record.jobId)) {
    return { kind: 'invalid', problem: `it holds job ${JSON.stringify(record.jobId)}` };
  }
  let jobGraph: JobGraph;
  try {
    jobGraph = parseJobGraph(Buffer.from(JSON.stringify(record.jobGraph), 'utf8'));
  } catch (err) {
    return { kind: 'invalid', problem: errorMessage(err), cause: err };
  }
  return { kind: 'valid', job: { ...record, jobGraph, ...(restore !== undefined ? { restore } : {}) } };
}

/** Whether two encoded records hold the same submission: equal but for the status. */
function sameSubmission(a: Buffer, b: Buffer): boolean {
  const submission = (bytes: Buffer): string => {
    const { status: _status, ...rest } = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    return canonicalJson(rest);
  };
  return submission(a) === submission(b);
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
