/**
 * A submission whose HA job store write failed and whose read-back got no
 * answer: the client was told the outcome is unknown. etcd may still apply
 * the write (it arrived, its answer did not), and then the job is the
 * cluster's and must run. So the record is read again, every `intervalMs`,
 * until the store can tell:
 *
 * - recorded: `run()` starts the job here, once;
 * - absent: nothing runs (the client looks before submitting again);
 * - this JobManager no longer leads: the next leader recovers whatever the
 *   store holds;
 * - still unknown after `maxWaitMs`: given up, logged; a record that appears
 *   later is run by the next leader.
 */
import { errorMessage, sleep, type Logger } from '@rivulet/common';

export type UnknownSubmissionOutcome = 'recorded' | 'absent' | 'leadership-lost' | 'gave-up';

export interface UnknownSubmissionWatch {
  readonly jobId: string;
  /** Whether the record is in the store (rejects when etcd does not answer). */
  readonly isRecorded: () => Promise<boolean>;
  /** Whether this JobManager still leads with the session the submission came in under. */
  readonly stillLeading: () => boolean;
  /** Starts the job (called at most once, only while still leading). */
  readonly run: () => void;
  readonly log: Logger;
  readonly intervalMs?: number;
  readonly maxWaitMs?: number;
}

export async function settleUnknownSubmission(watch: UnknownSubmissionWatch): Promise<UnknownSubmissionOutcome> {
  const intervalMs = watch.intervalMs ?? 1000;
  const deadline = Date.now() + (watch.maxWaitMs ?? 120_000);
  const log = watch.log.child({ jobId: watch.jobId });
  for (;;) {
    await sleep(intervalMs);
    if (!watch.stillLeading()) {
      log.info({}, 'submission of unknown outcome: leadership lost; the next leader runs it if it is recorded');
      return 'leadership-lost';
    }
    let recorded: boolean;
    try {
      recorded = await watch.isRecorded();
    } catch (err) {
      if (Date.now() >= deadline) {
        log.error({ err: errorMessage(err) }, 'submission of unknown outcome: etcd still does not tell whether it is recorded; given up (the next leader runs it if it is)');
        return 'gave-up';
      }
      continue;
    }
    if (!recorded) {
      log.info({}, 'submission of unknown outcome: not recorded; it does not run');
      return 'absent';
    }
    if (!watch.stillLeading()) return 'leadership-lost';
    log.warn({}, 'submission of unknown outcome: recorded after all; the job runs');
    watch.run();
    return 'recorded';
  }
}
