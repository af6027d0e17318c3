import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArchivedJobStore,
  JobGoneError,
  REMEMBERED_REMOVALS,
  goneMessage,
  type ArchivedJob,
  type JobStoreTimers,
} from '../../src/jobstore/index.js';

/** A clock the test moves; scheduled tasks run when `advance` passes their time. */
class FakeClock implements JobStoreTimers {
  ms = 1_700_000_000_000;
  private tasks: { at: number; task: () => void; cancelled: boolean }[] = [];
  /** Timers ever scheduled. */
  scheduled = 0;

  readonly now = (): number => this.ms;

  schedule(delayMs: number, task: () => void): { cancel(): void } {
    this.scheduled += 1;
    const entry = { at: this.ms + delayMs, task, cancelled: false };
    this.tasks.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  get armed(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    const end = this.ms + ms;
    for (;;) {
      const due = this.tasks.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.ms = due.at;
      due.task();
    }
    this.ms = end;
  }
}

let counter = 0;
function archived(name = `job-${++counter}`, endTime = 1_700_000_000_000): ArchivedJob {
  const jobId = `${name}-${String(counter).padStart(4, '0')}`;
  return {
    jobId, name, status: 'FINISHED', startTime: endTime - 10, endTime,
    detailsJson: JSON.stringify({ jid: jobId, state: 'FINISHED' }), checkpointsJson: '{}', exceptionsJson: '{}', planJson: '{}', configJson: '{}',
  };
}

const ids = (store: ArchivedJobStore): string[] => store.list().map((j) => j.jobId);

describe('the job store (jobstore.max-capacity, jobstore.expiration-time)', () => {
  test('beyond max-capacity the oldest archived job is evicted, and remembered as evicted', () => {
    const clock = new FakeClock();
    const store = new ArchivedJobStore({ maxCapacity: 3, expirationMs: 3_600_000 }, clock);
    const jobs = Array.from({ length: 5 }, () => archived());
    for (const job of jobs) {
      store.put(job);
      clock.advance(10);
    }
    assert.deepEqual(ids(store), jobs.slice(2).map((j) => j.jobId), 'the newest 3, oldest first');
    const lookup = store.get(jobs[0]!.jobId);
    assert.equal(lookup.kind, 'removed');
    assert.equal(lookup.kind === 'removed' && lookup.removed.reason, 'evicted');
    const message = new JobGoneError(lookup.kind === 'removed' ? lookup.removed : assert.fail(), store.settings).message;
    assert.match(message, new RegExp(`^job ${jobs[0]!.jobId} \\(${jobs[0]!.name}\\) ended FINISHED at 2023-11-14T22:13:20.000Z`));
    assert.match(message, /was evicted from the job store: only the newest jobstore.max-capacity \(3\) ended jobs are kept$/);
    assert.equal(store.get(jobs[4]!.jobId).kind, 'archived');
    assert.equal(store.get('never-submitted').kind, 'unknown');
  });

  test('a job is kept for expiration-time after it was archived, then removed as expired', () => {
    const clock = new FakeClock();
    const store = new ArchivedJobStore({ maxCapacity: 100, expirationMs: 2000 }, clock);
    const first = archived();
    store.put(first);
    clock.advance(1000);
    const second = archived();
    store.put(second);
    clock.advance(999);
    assert.deepEqual(ids(store), [first.jobId, second.jobId], '1999 ms: both kept');
    clock.advance(1);
    assert.deepEqual(ids(store), [second.jobId], '2000 ms: the first expired');
    const lookup = store.get(first.jobId);
    assert.ok(lookup.kind === 'removed' && lookup.removed.reason === 'expired');
    assert.match(goneMessage(lookup.removed, store.settings), /and expired from the job store: ended jobs are kept for jobstore.expiration-time \(2 s\)$/);
    clock.advance(1000);
    assert.equal(store.size, 0);
  });

  test('expired jobs are removed by the timer, without anyone reading the store (their memory is released)', () => {
    const clock = new FakeClock();
    const store = new ArchivedJobStore({ maxCapacity: 100, expirationMs: 60_000 }, clock);
    store.put(archived());
    clock.advance(30_000);
    const young = archived();
    store.put(young);
    assert.equal(clock.armed, 1, 'one timer, for the oldest job');
    for (let i = 0; i < 100; i++) store.list();
    assert.equal(clock.scheduled, 1, 'reads do not re-arm it');
    clock.advance(30_000); // the timer fires: the first job expires; re-armed for the second
    assert.equal(clock.armed, 1);
    clock.advance(30_000);
    assert.equal(clock.armed, 0, 'nothing left to expire: no timer');
    assert.equal(store.get(young.jobId).kind, 'removed');
    store.close();
  });

  test('only the last REMEMBERED_REMOVALS removed ids are remembered; older ones are unknown', () => {
    const clock = new FakeClock();
    const store = new ArchivedJobStore({ maxCapacity: 1, expirationMs: 3_600_000 }, clock);
    const jobs = Array.from({ length: REMEMBERED_REMOVALS + 2 }, () => archived());
    for (const job of jobs) store.put(job);
    assert.equal(store.get(jobs[0]!.jobId).kind, 'unknown', 'evicted too long ago to remember');
    assert.equal(store.get(jobs[1]!.jobId).kind, 'removed');
    assert.equal(store.get(jobs.at(-1)!.jobId).kind, 'archived');
  });

  test('archiving the same job again makes it the newest; refresh replaces content in place; delete forgets without remembering', () => {
    const clock = new FakeClock();
    const store = new ArchivedJobStore({ maxCapacity: 2, expirationMs: 3_600_000 }, clock);
    const [a, b, c] = [archived(), archived(), archived()];
    store.put(a);
    store.put(b);
    store.put(a);
    store.put(c);
    assert.deepEqual(ids(store), [a.jobId, c.jobId], 'b was the oldest once a was archived again');
    store.refresh({ ...c, detailsJson: '{"refreshed":true}' });
    store.refresh({ ...b, detailsJson: '{"refreshed":true}' });
    assert.deepEqual(store.list().map((j) => [j.jobId, j.detailsJson === '{"refreshed":true}']), [[a.jobId, false], [c.jobId, true]], 'refresh keeps the order; an evicted job stays evicted');
    assert.equal(store.get(b.jobId).kind, 'removed');
    store.delete(a.jobId);
    assert.equal(store.get(a.jobId).kind, 'unknown');
  });

  test('bad settings are refused', () => {
    assert.throws(() => new ArchivedJobStore({ maxCapacity: 0, expirationMs: 1000 }), /jobstore.max-capacity must be at least 1, got 0/);
    assert.throws(() => new ArchivedJobStore({ maxCapacity: 1, expirationMs: 0 }), /jobstore.expiration-time must be above 0, got 0 ms/);
  });
});
