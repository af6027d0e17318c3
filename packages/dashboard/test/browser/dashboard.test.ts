import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT, runCli, settingsEnvironment, startEtcd, startJobManager, startTaskManager, stopAllProcesses, waitFor,
  type StartedEtcd, type StartedJobManager, type StartedTaskManager,
} from '@rivulet/testing';
import { BrowserSession } from './browser-session.js';

const JOB = join(REPO_ROOT, 'packages', 'dashboard', 'test', 'browser', 'fixtures', 'throttled-count-job.ts');
const dir = mkdtempSync(join(tmpdir(), 'rivulet-dashboard-'));
let etcd: StartedEtcd | undefined;
let settings: string[] = [];
let jobManagers: StartedJobManager[] = [];
let taskManagers: StartedTaskManager[] = [];
let browser: BrowserSession | undefined;
let jobId = '';
/** When the leader was killed: network errors after it are the failover's, not the dashboard's. */
let leaderKilledAt = Number.POSITIVE_INFINITY;

const restOf = (jm: StartedJobManager): string => jm.restUrl;
async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}
async function leader(): Promise<StartedJobManager> {
  return waitFor(async () => {
    for (const jm of jobManagers) {
      if (!jm.daemon.running) continue;
      const ready = await fetch(`${jm.restUrl}/readyz`).catch(() => undefined);
      if (ready?.status === 200) return jm;
    }
    return undefined;
  }, { timeoutMs: 20_000, what: 'a leading JobManager' });
}

before(async () => {
  etcd = await startEtcd();
  settings = [
    'high-availability.type=etcd',
    `high-availability.etcd.endpoints=${etcd.endpoint}`,
    `high-availability.cluster-id=dashboard-${randomUUID().slice(0, 8)}`,
    'high-availability.etcd.lease-ttl=6000ms',
    `execution.checkpointing.dir=file://${join(dir, 'checkpoints')}`,
  ];
  jobManagers = [await startJobManager({ set: settings }), await startJobManager({ set: settings })];
  taskManagers = [
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-dash-1', set: settings }),
    await startTaskManager('127.0.0.1:1', { slots: 2, name: 'tm-dash-2', set: settings }),
  ];
  const lead = await leader();
  await waitFor(async () => ((await json<{ taskmanagers: number }>(`${lead.restUrl}/overview`)).taskmanagers === 2 ? true : undefined), { timeoutMs: 30_000, what: 'both TaskManagers registered' });
  browser = await BrowserSession.open();
});

after(async () => {
  await browser?.close();
  await stopAllProcesses();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard in a real browser against a real cluster (etcd HA, 2 JobManagers, 2 TaskManagers)', { timeout: 150_000 }, () => {
  test('the overview shows the TaskManagers, slots, the leader and its standby', async () => {
    const page = browser!.page;
    const lead = await leader();
    const started = Date.now();
    await page.goto(`${restOf(lead)}/`);
    await page.locator('[data-card="taskmanagers"] .card-value').filter({ hasText: '2' }).waitFor({ timeout: 10_000 });
    const firstData = Date.now() - started;
    assert.equal(await page.locator('tbody[data-live="taskmanagers"] tr[data-taskmanager]').count(), 2);
    await page.locator('[data-card="slots"] .card-value').filter({ hasText: '4 / 4' }).waitFor({ timeout: 5_000 });
    const standby = jobManagers.find((jm) => jm !== lead)!;
    const standbyRest = new URL(standby.restUrl).host;
    await page.locator('[data-card="leader"] .card-detail').filter({ hasText: standbyRest }).waitFor({ timeout: 10_000 });
    assert.ok(firstData < 10_000);
    await browser!.screenshot('overview');
  });

  test('a submitted job appears; its graph shows every vertex with record counts that increase', async () => {
    const lead = await leader();
    const submitted = await runCli(['run', JOB, '--detached', '--output', 'json', '--parallelism', '2', '--set', 'execution.checkpointing.interval=1s', '--', '--output', join(dir, 'out')], {
      env: settingsEnvironment(settings), timeoutMs: 60_000,
    });
    assert.equal(submitted.code, 0, submitted.stderr);
    jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
    const page = browser!.page;
    await page.goto(`${restOf(lead)}/#/jobs`);
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.locator('.badge', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    await browser!.screenshot('jobs');
    await row.locator('a').click();
    const plan = await json<{ plan: { nodes: { id: string }[] } }>(`${lead.restUrl}/jobs/${jobId}/plan`);
    assert.equal(plan.plan.nodes.length, 3, 'a chain, a keyed vertex and a sink');
    for (const node of plan.plan.nodes) await page.locator(`g[data-vertex-id="${node.id}"]`).waitFor({ timeout: 10_000 });
    // The boxes are where the JobManager laid them out (once for the job): the page ran no layout of its own.
    const served = await json<{ key: string; vertices: { id: string }[] }>(`${lead.restUrl}/jobs/${jobId}/plan/layout`);
    assert.deepEqual(served.vertices.map((v) => v.id).sort(), plan.plan.nodes.map((n) => n.id).sort());
    assert.equal(await page.evaluate(() => performance.getEntriesByName('rivulet:graph-layout').length), 0, 'the page laid the graph out itself');
    assert.equal((await fetch(`${lead.restUrl}/jobs/00000000000000000000000000000000/plan/layout`)).status, 404);
    const recordsOfSource = async (): Promise<number> => {
      const text = await page.locator(`g[data-vertex-id="${plan.plan.nodes[0]!.id}"] text[data-role="records"]`).textContent();
      const match = /Out ([\d.]+)(k|M)? records\/s/.exec(text ?? '');
      return match ? Number(match[1]) * (match[2] === 'k' ? 1000 : match[2] === 'M' ? 1e6 : 1) : 0;
    };
    await waitFor(async () => ((await recordsOfSource()) > 0 ? true : undefined), { timeoutMs: 20_000, what: 'the source vertex showing records flowing' });
    for (const node of plan.plan.nodes) {
      const load = await page.locator(`g[data-vertex-id="${node.id}"]`).getAttribute('data-load');
      assert.notEqual(load, 'unknown', `vertex ${node.id} is coloured from live figures`);
    }
    // Records keep flowing: the subtasks tab's total of records out grows between two reads.
    await page.locator('a.tab', { hasText: 'Subtasks' }).click();
    const totalOut = async (): Promise<number> => {
      const cells = await page.locator('.vertex-table').first().locator('tbody tr td:nth-child(7)').allTextContents();
      return cells.reduce((sum, cell) => sum + Number(cell.replace(/,/g, '') || 0), 0);
    };
    const first = await waitFor(async () => { const n = await totalOut(); return n > 0 ? n : undefined; }, { timeoutMs: 10_000, what: 'records counted' });
    const second = await waitFor(async () => { const n = await totalOut(); return n > first ? n : undefined; }, { timeoutMs: 10_000, what: 'the record count increasing' });
    assert.ok(second > first);
    // The keyed edge sends part of the records to subtasks in other slots: bytes leave the source chain (records
    // passed within a slot are not serialized and count none).
    await waitFor(async () => {
      const cells = await page.locator('.vertex-table').first().locator('td[data-figure="bytes-out"]').allTextContents();
      return cells.some((cell) => /^[1-9][\d.]* (B|KB|MB|GB) · /.test(cell)) ? true : undefined;
    }, { timeoutMs: 10_000, what: 'bytes out of the source chain on the subtasks tab' });
    await browser!.screenshot('job-subtasks');
    await page.locator('a.tab', { hasText: 'Graph' }).click();
    await page.locator('svg.job-graph').waitFor();
    await browser!.screenshot('job-graph');
  });

  test('a checkpoint appears in the checkpoints tab', async () => {
    const page = browser!.page;
    await page.locator('a.tab', { hasText: 'Checkpoints' }).click();
    const completed = page.locator('tbody[data-live="checkpoints"] tr[data-checkpoint-id]', { has: page.locator('.badge', { hasText: 'COMPLETED' }) }).first();
    await completed.waitFor({ timeout: 20_000 });
    // Measured by the subtasks and sent with their acknowledgements: the longest alignment and start delay.
    assert.match((await completed.locator('td[data-figure="alignment"]').textContent()) ?? '', /^[\d,]+ ms \(start [\d,]+ ms\)$/);
    await page.locator('figure.chart').first().waitFor({ timeout: 10_000 });
    await browser!.screenshot('job-checkpoints');
  });

  test('killing a TaskManager shows the exception, and the job restarts', async () => {
    const page = browser!.page;
    const lead = await leader();
    await page.locator('a.tab', { hasText: 'Exceptions' }).click();
    await page.getByText('No exception: the job has not failed.').waitFor({ timeout: 10_000 });
    taskManagers[1]!.daemon.signal('SIGKILL');
    await page.locator('ol[data-live="exceptions"] li[data-cause="taskmanager-lost"]').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-figure="restarts"]').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 30_000 });
    await waitFor(async () => {
      const details = await json<{ state: string; vertices: { tasks: Record<string, number>; parallelism: number }[] }>(`${lead.restUrl}/jobs/${jobId}`);
      return details.state === 'RUNNING' && details.vertices.every((v) => v.tasks['RUNNING'] === v.parallelism) ? true : undefined;
    }, { timeoutMs: 40_000, what: 'every subtask running again on the remaining TaskManager' });
    await page.locator('h1 .badge', { hasText: 'RUNNING' }).waitFor({ timeout: 10_000 });
    await browser!.screenshot('job-exceptions');
  });

  test('a leader failover is followed: the page moves to the new leader and shows the job running', async () => {
    const page = browser!.page;
    const old = await leader();
    const standby = jobManagers.find((jm) => jm !== old)!;
    await page.goto(`${restOf(old)}/#/jobs/${jobId}`);
    await page.locator('h1 .badge', { hasText: 'RUNNING' }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(3500); // the page has learnt who stands by
    leaderKilledAt = Date.now();
    old.daemon.signal('SIGKILL');
    await page.locator('[data-connection="unreachable"]').waitFor({ timeout: 15_000 });
    await browser!.screenshot('unreachable');
    const standbyHost = new URL(standby.restUrl).host;
    await waitFor(async () => (new URL(page.url()).host === standbyHost ? true : undefined), { timeoutMs: 45_000, what: 'the page on the new leader' });
    assert.ok(page.url().endsWith(`#/jobs/${jobId}`), `the same page: ${page.url()}`);
    await page.locator('h1 .badge', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    await page.locator('.jm', { hasText: 'leader' }).waitFor({ timeout: 15_000 });
  });

  test('cancel from the page ends the job', async () => {
    const page = browser!.page;
    await page.locator('button[data-action="cancel"]').click();
    await page.locator('button[data-confirm="cancel"]').click();
    await page.locator('h1 .badge', { hasText: 'CANCELED' }).waitFor({ timeout: 30_000 });
    await browser!.screenshot('job-cancelled');
    const lead = await leader();
    assert.equal((await json<{ state: string }>(`${lead.restUrl}/jobs/${jobId}`)).state, 'CANCELED');
  });

  test('TaskManager page with its charts, and the overview on a phone-sized screen', async () => {
    const page = browser!.page;
    const lead = await leader();
    const tm = taskManagers[0]!;
    await page.goto(`${restOf(lead)}/#/taskmanagers/${encodeURIComponent(tm.resourceId)}`);
    await page.locator('[data-figure="cpu"]').filter({ hasText: 'cores' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('figure.chart').count(), 4);
    await browser!.screenshot('taskmanager');
    const phone = await browser!.browser.newPage({ viewport: { width: 390, height: 844 } });
    phone.on('pageerror', (error) => browser!.errors.push({ at: Date.now(), type: 'pageerror', text: error.message }));
    await phone.goto(`${restOf(lead)}/#/overview`);
    await phone.locator('[data-card="taskmanagers"] .card-value').waitFor({ timeout: 10_000 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing wider than the phone's screen (${overflow} px too wide)`);
    await browser!.screenshot('overview-phone', phone);
    await phone.close();
  });

  test('no console error in the browser (the failed requests to the killed leader aside)', () => {
    const failoverNetwork = (e: { at: number; text: string }): boolean => e.at >= leaderKilledAt && /Failed to load resource|ERR_CONNECTION_REFUSED|status of 404/.test(e.text);
    const errors = browser!.errors.filter((e) => !failoverNetwork(e));
    assert.deepEqual(errors, []);
  });
});
