/**
 * Where the HA stores keep a job's data in etcd, under `etcdClusterPrefix`
 * (`/rivulet/<cluster-id>/`):
 *
 *   jobs/<job-id>                 the submitted job (StoredJob, JSON)
 *   checkpoint-counter/<job-id>   the next checkpoint id (decimal)
 *   checkpoints/<job-id>/latest   pointer to the latest completed checkpoint (JSON)
 *
 * Invariant: no value above `MAX_ETCD_VALUE_BYTES` is ever sent (etcd's own
 * limit is 1.5 MiB per request).
 */
import { RivuletError, etcdClusterPrefix, type EtcdSettings } from '@rivulet/common';
import { EtcdValueTooLargeError } from './errors.js';

/** 1 MiB: the largest value the HA stores write. */
export const MAX_ETCD_VALUE_BYTES = 1024 * 1024;

/** Only `cluster-id` is read; the full configuration fits. */
export type HaKeySettings = Pick<EtcdSettings, 'high-availability.cluster-id'>;

function clusterPrefix(settings: HaKeySettings): string {
  return etcdClusterPrefix(settings as EtcdSettings);
}

/** Job ids become key segments: non-empty, no '/', so one job's prefix never covers another's keys. */
export function checkJobId(jobId: string): string {
  if (jobId.length === 0 || jobId.includes('/')) {
    throw new RivuletError('USAGE', `${JSON.stringify(jobId)} is not a job id that can name an etcd key`);
  }
  return jobId;
}

/** `/rivulet/<cluster-id>/jobs/`: every stored job, listed by this prefix. */
export function jobsPrefix(settings: HaKeySettings): string {
  return `${clusterPrefix(settings)}jobs/`;
}

export function jobKey(settings: HaKeySettings, jobId: string): string {
  return `${jobsPrefix(settings)}${checkJobId(jobId)}`;
}

export function checkpointCounterKey(settings: HaKeySettings, jobId: string): string {
  return `${clusterPrefix(settings)}checkpoint-counter/${checkJobId(jobId)}`;
}

/** `/rivulet/<cluster-id>/checkpoints/<job-id>/`: all of a job's checkpoint records (the trailing '/' keeps job ids apart). */
export function checkpointsPrefix(settings: HaKeySettings, jobId: string): string {
  return `${clusterPrefix(settings)}checkpoints/${checkJobId(jobId)}/`;
}

export function latestCheckpointKey(settings: HaKeySettings, jobId: string): string {
  return `${checkpointsPrefix(settings, jobId)}latest`;
}

/** The bytes of `text`, refused with `EtcdValueTooLargeError` above `MAX_ETCD_VALUE_BYTES`. */
export function boundedValue(text: string, context: { jobId: string; key: string; what: string }): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_ETCD_VALUE_BYTES) {
    throw new EtcdValueTooLargeError({ ...context, bytes: bytes.length, limitBytes: MAX_ETCD_VALUE_BYTES });
  }
  return bytes;
}
