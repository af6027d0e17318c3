/**
 * docs/metrics.md and deploy/prometheus/prometheus.yml against real daemons:
 * a JobManager and a TaskManager run a checkpointed job until job, checkpoint
 * and task-slot metrics exist; both /metrics endpoints (at the path the sample
 * configuration scrapes) must then match the reference in both directions,
 * and a real Prometheus scraping them with the sample configuration (targets
 * mapped to the local ports) must ingest them, answer the documented queries,
 * and evaluate the documented alerting rules without error and without any
 * alert pending.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, runCli, startCluster, stopAllProcesses, waitFor, type StartedCluster } from '@rivulet/testing';
import {
  alertingRules,
  alertingRulesBlock,
  daemonMetricNames,
  documentedQueries,
  exposedFamilies,
  localScrapeConfig,
  parseMetricReference,
  scrapeTargets,
  startPrometheus,
  type Daemon,
  type DocumentedMetric,
  type ExposedFamily,
} from '../../src/metrics/index.js';

const DOC = 'docs/metrics.md';
const PROMETHEUS_YML = 'deploy/prometheus/prometheus.yml';
const JOB = join(REPO_ROOT, 'packages', 'cli', 'test', 'fixtures', 'throttled-count-job.ts');

const markdown = readFileSync(join(REPO_ROOT, DOC), 'utf8');
const documented = parseMetricReference(markdown, DOC);
const prometheusYml = readFileSync(join(REPO_ROOT, PROMETHEUS_YML), 'utf8');
const targets = scrapeTargets(prometheusYml, PROMETHEUS_YML);

/** The path Prometheus scrapes for the targets labelled `role`. */
function metricsPathOf(role: Daemon): string {
  const paths = new Set(targets.filter((t) => t.labels['role'] === role).map((t) => t.metricsPath));
  assert.equal(paths.size, 1, `${PROMETHEUS_YML} scrapes the ${role} targets on one path, found ${[...paths].join(', ') || 'none'}`);
  return [...paths][0]!;
}

const dir = mkdtempSync(join(tmpdir(), 'rivulet-metrics-reference-'));
let cluster: StartedCluster;
let jobId: string;
const scraped = new Map<Daemon, string>();
const exposed = new Map<Daemon, Map<string, ExposedFamily>>();

async function scrape(daemon: Daemon): Promise<string> {
  const base = daemon === 'jobmanager' ? cluster.jobManager.restUrl : `http://127.0.0.1:${cluster.taskManagers[0]!.httpPort}`;
  const response = await fetch(`${base}${metricsPathOf(daemon)}`);
  assert.equal(response.status, 200, `${daemon} ${metricsPathOf(daemon)} answered ${response.status}`);
  return response.text();
}

function sampleValue(family: string, labels: Record<string, string>, text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${family}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

before(async () => {
  cluster = await startCluster({ taskManagers: 1, slots: 2, set: [`execution.checkpointing.dir=${join(dir, 'checkpoints')}`] });
  const run = await runCli([
    'run', JOB, '--jobmanager', cluster.jobManager.rpcAddress, '--detached', '--output', 'json', '--parallelism', '2',
    '--set', 'execution.checkpointing.interval=300ms',
    // Throttled by timers, so the job outlives the test and the TaskManager's loop stays free.
    '--', '--n', '100000000', '--keys', '5', '--delay-every', '1000', '--delay-ms', '20', '--output', join(dir, 'out'),
  ], { timeoutMs: 30_000 });
  assert.equal(run.code, 0, `rivulet run failed: ${run.stderr}`);
  ({ jobId } = JSON.parse(run.stdout) as { jobId: string });
  // Wait until the job has completed checkpoints: job, checkpoint and slot metrics all have samples then.
  await waitFor(async () => {
    const text = await scrape('jobmanager');
    return (sampleValue('rivulet_jobmanager_job_numberOfCompletedCheckpoints', { job_id: jobId }, text) ?? 0) >= 2;
  }, { timeoutMs: 30_000, what: `two completed checkpoints of job ${jobId} in the JobManager's metrics` });
  for (const daemon of ['jobmanager', 'taskmanager'] as const) {
    const text = await scrape(daemon);
    scraped.set(daemon, text);
    exposed.set(daemon, exposedFamilies(text));
  }
});

after(async () => {
  await stopAllProcesses();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/metrics.md matches what the daemons export', { timeout: 60_000 }, () => {
  test('the scrape saw the job: its series carry its job_id and count its checkpoints', () => {
    const jm = scraped.get('jobmanager')!;
    const job = { job_id: jobId };
    assert.ok((sampleValue('rivulet_jobmanager_job_numberOfCompletedCheckpoints', job, jm) ?? 0) >= 2);
    assert.ok((sampleValue('rivulet_jobmanager_job_lastCheckpointDuration', job, jm) ?? -1) >= 0, 'a completed checkpoint has a duration');
    assert.equal(sampleValue('rivulet_jobmanager_job_numRestarts', job, jm), 0);
    assert.equal(sampleValue('rivulet_jobmanager_is_leader', {}, jm), 1);
    assert.equal(sampleValue('rivulet_jobmanager_taskSlotsTotal', {}, jm), 2);
    const tm = scraped.get('taskmanager')!;
    assert.equal(sampleValue('rivulet_taskmanager_registered', {}, tm), 1);
    assert.equal(sampleValue('rivulet_taskmanager_Status_TaskSlots_total', {}, tm), 2);
    assert.equal(sampleValue('rivulet_taskmanager_Status_TaskSlots_available', {}, tm), 0, 'the running job (parallelism 2) holds both slots');
  });

  test('every metric family a daemon exports is documented, with its type and labels', () => {
    const byName = new Map(documented.map((m) => [m.name, m]));
    const problems: string[] = [];
    for (const [daemon, families] of exposed) {
      for (const family of families.values()) {
        const doc = byName.get(family.name);
        if (doc === undefined) {
          problems.push(`${daemon} exports ${family.name} (${family.type}), which ${DOC} does not document`);
          continue;
        }
        if (doc.daemon !== daemon) problems.push(`${family.name} is exported by the ${daemon} but documented for the ${doc.daemon}`);
        if (doc.type !== family.type) problems.push(`${family.name} is a ${family.type}, documented as a ${doc.type} (line ${doc.line})`);
        if (family.sampleCount > 0) {
          const exportedLabels = family.labels.filter((l) => l !== 'component');
          const documentedLabels = [...doc.labels].sort();
          if (exportedLabels.join(',') !== documentedLabels.join(',')) {
            problems.push(`${family.name} has labels [${exportedLabels.join(', ')}], documented [${documentedLabels.join(', ')}] (line ${doc.line})`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every documented metric is exported with samples, or marked with the condition under which it appears', () => {
    const problems: string[] = [];
    for (const metric of documented) {
      const family = exposed.get(metric.daemon)!.get(metric.name);
      if ((family?.sampleCount ?? 0) > 0 || metric.condition !== undefined) continue;
      problems.push(`${metric.name} (${DOC}:${metric.line}) has no sample on a ${metric.daemon} running a checkpointed job ` +
        `(${family === undefined ? 'not exported at all' : 'declared without samples'}) and is not marked "*Appears only …*"`);
    }
    assert.deepEqual(problems, []);
  });

  test('every documented metric, conditional ones included, is defined in the daemons\' sources', () => {
    const defined = daemonMetricNames(REPO_ROOT);
    const missing = documented.filter((m: DocumentedMetric) => !defined.has(m.name)).map((m) => `${m.name} (${DOC}:${m.line})`);
    assert.deepEqual(missing, []);
    const conditional = documented.filter((m) => m.condition !== undefined);
    assert.ok(conditional.length > 0, 'the reference marks the metrics that appear only under a condition');
  });
});

interface PromVector {
  readonly resultType: string;
  readonly result: { metric: Record<string, string>; value: [number, string] }[];
}

describe('a real Prometheus scraping with the sample configuration', { timeout: 60_000 }, () => {
  test('ingests every metric with its role label, answers the documented queries, evaluates the alerting rules, none pending on a healthy cluster', async () => {
    const rules = alertingRules(alertingRulesBlock(markdown, DOC), DOC);
    const addresses = new Map([
      ['jobmanager-1', new URL(cluster.jobManager.restUrl).host],
      ['taskmanager-1', `127.0.0.1:${cluster.taskManagers[0]!.httpPort}`],
    ]);
    const prometheus = await startPrometheus({
      'prometheus.yml': localScrapeConfig(prometheusYml, PROMETHEUS_YML, { addresses, interval: '1s', ruleFiles: ['rivulet-alerts.yml'] }),
      'rivulet-alerts.yml': alertingRulesBlock(markdown, DOC),
    }, 'prometheus.yml');
    try {
      const query = (promql: string): Promise<PromVector> => prometheus.api<PromVector>(`query?query=${encodeURIComponent(promql)}`);
      await waitFor(async () => {
        const up = await query('up == 1');
        return up.result.map((r) => r.metric['role']).sort().join(',') === 'jobmanager,taskmanager';
      }, { timeoutMs: 20_000, what: 'Prometheus to scrape the JobManager and the TaskManager (up == 1, labelled by role)' });

      const leader = await query('rivulet_jobmanager_is_leader{role="jobmanager",job="rivulet-jobmanager"}');
      assert.deepEqual(leader.result.map((r) => r.value[1]), ['1'], 'the leader\'s series carries the role and job of the scrape configuration');

      const groups = await waitFor(async () => {
        const data = await prometheus.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('rules');
        const loaded = data.groups.flatMap((g) => g.rules);
        return loaded.length === rules.length && loaded.every((r) => r.health !== 'unknown') ? loaded : undefined;
      }, { timeoutMs: 15_000, what: `Prometheus to evaluate the ${rules.length} alerting rules` });
      assert.deepEqual(groups.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`), []);

      const ingested = new Set(await prometheus.api<string[]>('label/__name__/values'));
      const missing = documented
        .filter((m) => m.condition === undefined)
        .map((m) => (m.type === 'histogram' ? `${m.name}_count` : m.name))
        .filter((name) => !ingested.has(name));
      assert.deepEqual(missing, [], 'Prometheus ingested every metric the daemons always export');

      const queries = documentedQueries(markdown);
      assert.ok(queries.length > 0, `${DOC} has example queries`);
      for (const promql of queries) {
        // rate() and increase() need two scrapes in their range: wait a few 1 s scrapes at most.
        await waitFor(async () => (await query(promql)).result.length > 0, { timeoutMs: 10_000, what: `the documented query ${promql} to have a result` });
      }

      for (const rule of rules) {
        const result = await query(rule.expr);
        assert.deepEqual(result.result, [], `${rule.alert} (${rule.expr}) would be pending on a healthy cluster`);
      }
    } finally {
      await prometheus.stop();
    }
  });
});
