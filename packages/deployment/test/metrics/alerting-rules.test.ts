/**
 * The alerting rules in docs/metrics.md: Prometheus's promtool accepts them,
 * they use only documented metrics, and each alert is unit-tested with
 * `promtool test rules` on series shaped like the sample scrape configuration's
 * (job, instance and role labels): it fires when it should and stays quiet
 * when it should.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '@rivulet/testing';
import { alertingRules, alertingRulesBlock, metricNamesIn, parseMetricReference, runPromtool } from '../../src/metrics/index.js';

const DOC = 'docs/metrics.md';
const markdown = readFileSync(join(REPO_ROOT, DOC), 'utf8');
const rulesYaml = alertingRulesBlock(markdown, DOC);
const dir = mkdtempSync(join(tmpdir(), 'rivulet-alerting-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const JM1 = 'instance="jobmanager-1",job="rivulet-jobmanager",role="jobmanager"';
const JM2 = 'instance="jobmanager-2",job="rivulet-jobmanager",role="jobmanager"';
const TM1 = 'instance="taskmanager-1",job="rivulet-taskmanager",role="taskmanager"';
const JM1_LABELS = { instance: 'jobmanager-1', job: 'rivulet-jobmanager', role: 'jobmanager' };
const TM1_LABELS = { instance: 'taskmanager-1', job: 'rivulet-taskmanager', role: 'taskmanager' };
const JOB = 'job_id="a1b2"';

interface AlertCase {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly { exp_labels: Record<string, string> }[];
}
interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { series: string; values: string }[];
  readonly alert_rule_test: readonly AlertCase[];
}

const fires = (alertname: string, eval_time: string, ...labels: Record<string, string>[]): AlertCase =>
  ({ alertname, eval_time, exp_alerts: labels.map((l) => ({ exp_labels: l })) });
const quiet = (alertname: string, eval_time: string): AlertCase => ({ alertname, eval_time, exp_alerts: [] });

/** Series step 15 s; `x40` covers 10 minutes. */
const GROUPS: TestGroup[] = [
  {
    name: 'leadership moves from jobmanager-1 to jobmanager-2 after a gap',
    interval: '15s',
    input_series: [
      { series: `rivulet_jobmanager_is_leader{${JM1}}`, values: '1x8 0x40' },
      { series: `rivulet_jobmanager_is_leader{${JM2}}`, values: '0x20 1x28' },
    ],
    alert_rule_test: [
      quiet('RivuletNoLeadingJobManager', '1m'),
      fires('RivuletNoLeadingJobManager', '4m', { severity: 'critical' }),
      quiet('RivuletNoLeadingJobManager', '7m'),
      quiet('RivuletSeveralLeadingJobManagers', '7m'),
    ],
  },
  {
    name: 'no JobManager can be scraped at all',
    interval: '15s',
    input_series: [{ series: `up{${TM1}}`, values: '1x40' }],
    alert_rule_test: [fires('RivuletNoLeadingJobManager', '1m', { severity: 'critical' })],
  },
  {
    name: 'two JobManagers report leadership',
    interval: '15s',
    input_series: [
      { series: `rivulet_jobmanager_is_leader{${JM1}}`, values: '1x40' },
      { series: `rivulet_jobmanager_is_leader{${JM2}}`, values: '0x4 1x36' },
    ],
    alert_rule_test: [quiet('RivuletSeveralLeadingJobManagers', '1m30s'), fires('RivuletSeveralLeadingJobManagers', '3m', { severity: 'critical' })],
  },
  {
    name: 'a JobManager and a TaskManager stop answering',
    interval: '15s',
    input_series: [
      { series: `up{${JM1}}`, values: '1x40' },
      { series: `up{${JM2}}`, values: '1x4 0x36' },
      { series: `up{${TM1}}`, values: '1x8 0x32' },
    ],
    alert_rule_test: [
      quiet('RivuletJobManagerDown', '1m30s'),
      fires('RivuletJobManagerDown', '3m', { severity: 'warning', instance: 'jobmanager-2', job: 'rivulet-jobmanager', role: 'jobmanager' }),
      quiet('RivuletTaskManagerDown', '2m30s'),
      fires('RivuletTaskManagerDown', '4m', { severity: 'warning', ...TM1_LABELS }),
    ],
  },
  {
    name: 'a job restarts four times in a minute; another drops to 0 as a new leader starts counting',
    interval: '15s',
    input_series: [
      { series: `rivulet_jobmanager_job_numRestarts{${JOB},${JM1}}`, values: '0x20 1 2 3 4 4x20' },
      { series: `rivulet_jobmanager_job_numRestarts{job_id="c3d4",${JM1}}`, values: '5x20 0x20' },
    ],
    alert_rule_test: [
      quiet('RivuletJobRestarting', '4m'),
      fires('RivuletJobRestarting', '7m', { severity: 'warning', job_id: 'a1b2', ...JM1_LABELS }),
    ],
  },
  {
    name: 'a job is in an outage for 90 s',
    interval: '15s',
    input_series: [{ series: `rivulet_jobmanager_job_downtime{${JOB},${JM1}}`, values: '0x4 15000 30000 45000 60000 75000 90000 0x30' }],
    alert_rule_test: [
      quiet('RivuletJobDown', '2m'),
      fires('RivuletJobDown', '2m30s', { severity: 'critical', job_id: 'a1b2', ...JM1_LABELS }),
      quiet('RivuletJobDown', '4m'),
    ],
  },
  {
    name: 'three checkpoints fail',
    interval: '15s',
    input_series: [{ series: `rivulet_jobmanager_job_numberOfFailedCheckpoints{${JOB},${JM1}}`, values: '0x10 1 2 3 3x30' }],
    alert_rule_test: [quiet('RivuletCheckpointsFailing', '2m'), fires('RivuletCheckpointsFailing', '5m', { severity: 'warning', job_id: 'a1b2', ...JM1_LABELS })],
  },
  {
    name: 'checkpoints slow down to 90 s and a TaskManager loop stays blocked',
    interval: '15s',
    input_series: [
      { series: `rivulet_jobmanager_job_lastCheckpointDuration{${JOB},${JM1}}`, values: '1000x4 90000x40' },
      { series: `rivulet_taskmanager_nodejs_eventloop_lag_p99_seconds{${TM1}}`, values: '0.01x4 0.8x40' },
    ],
    alert_rule_test: [
      quiet('RivuletCheckpointsSlow', '3m'),
      fires('RivuletCheckpointsSlow', '7m', { severity: 'warning', job_id: 'a1b2', ...JM1_LABELS }),
      quiet('RivuletTaskManagerEventLoopBlocked', '3m'),
      fires('RivuletTaskManagerEventLoopBlocked', '7m', { severity: 'warning', ...TM1_LABELS }),
    ],
  },
];

describe(`the alerting rules in ${DOC}`, { timeout: 30_000 }, () => {
  test('promtool check rules accepts them', async () => {
    const file = join(dir, 'rivulet-alerts.yml');
    writeFileSync(file, rulesYaml);
    const result = await runPromtool(['check', 'rules', file]);
    assert.ok(result.ok, `promtool check rules failed:\n${result.output}`);
    assert.match(result.output, /SUCCESS: \d+ rules found/);
  });

  test('they use only metrics documented on the same page', () => {
    const documented = new Set(parseMetricReference(markdown, DOC).map((m) => m.name));
    const undocumented = alertingRules(rulesYaml, DOC).flatMap((rule) =>
      metricNamesIn(rule.expr).filter((name) => !documented.has(name)).map((name) => `${rule.alert}: ${name}`));
    assert.deepEqual(undocumented, []);
  });

  test('every alert has a case where it fires', () => {
    const tested = new Set(GROUPS.flatMap((g) => g.alert_rule_test.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname)));
    const untested = alertingRules(rulesYaml, DOC).map((r) => r.alert).filter((name) => !tested.has(name));
    assert.deepEqual(untested, []);
  });

  test('promtool test rules: each alert fires when it should and stays quiet otherwise', async () => {
    // Annotations are templated text, checked by `promtool check rules` above; the
    // unit tests compare the firing alerts and their labels only.
    const rules = parse(rulesYaml) as { groups: { rules: { annotations?: unknown }[] }[] };
    for (const group of rules.groups) for (const rule of group.rules) delete rule.annotations;
    writeFileSync(join(dir, 'rules-under-test.yml'), stringify(rules));
    writeFileSync(join(dir, 'alerts.test.yml'), stringify({ rule_files: ['rules-under-test.yml'], evaluation_interval: '15s', tests: GROUPS }));
    const result = await runPromtool(['test', 'rules', 'alerts.test.yml'], { cwd: dir });
    assert.ok(result.ok, `promtool test rules failed:\n${result.output}`);
    assert.match(result.output, /SUCCESS/);
  });
});
