/** Each reader of the metrics checks names the file, line and culprit of a malformed input. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  alertingRulesBlock,
  composeServiceConfiguration,
  composeServices,
  MetricsFileError,
  parseMetricReference,
  promtoolPath,
  scrapeTargets,
} from '../../src/metrics/index.js';

const HEADER = '| Metric | Type | Labels | Unit | Flink | Meaning |\n|---|---|---|---|---|---|\n';

function rejects(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof MetricsFileError, `a MetricsFileError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('metric reference rows', () => {
  test('a well-formed row expands <daemon> to both daemons and reads the condition', () => {
    const metrics = parseMetricReference(
      `${HEADER}| \`rivulet_<daemon>_nodejs_gc_duration_seconds\` | histogram | \`kind\` | seconds | — | GC pauses. *Appears only after the first garbage collection.* |\n`,
      'm.md',
    );
    assert.deepEqual(metrics.map((m) => [m.name, m.daemon, m.type, m.labels, m.condition, m.line]), [
      ['rivulet_jobmanager_nodejs_gc_duration_seconds', 'jobmanager', 'histogram', ['kind'], 'after the first garbage collection', 3],
      ['rivulet_taskmanager_nodejs_gc_duration_seconds', 'taskmanager', 'histogram', ['kind'], 'after the first garbage collection', 3],
    ]);
  });

  test('bad rows are refused with the file, line and what is wrong', () => {
    rejects(() => parseMetricReference(`${HEADER}| \`rivulet_jobmanager_x\` | gauge | — | ms | — |\n`, 'm.md'), /^m\.md:3: a metric row needs 6 cells .* found 5$/);
    rejects(() => parseMetricReference(`${HEADER}| \`rivulet_jobmanager_x\` | meter | — | ms | — | x |\n`, 'm.md'), /m\.md:3: type "meter" of rivulet_jobmanager_x is not one of gauge, counter, histogram/);
    rejects(() => parseMetricReference(`${HEADER}| \`rivulet_jobmanager_x\` | gauge | job_id | ms | — | x |\n`, 'm.md'), /labels of rivulet_jobmanager_x must be backticked names .* found "job_id"/);
    rejects(() => parseMetricReference(`${HEADER}| \`rivulet_other_x\` | gauge | — | ms | — | x |\n`, 'm.md'), /metric name `rivulet_other_x` is not a backticked rivulet_<daemon\|jobmanager\|taskmanager>_… name/);
    rejects(() => parseMetricReference(`${HEADER}| \`rivulet_jobmanager_x\` | gauge | — | ms |  | x |\n`, 'm.md'), /rivulet_jobmanager_x has an empty Flink cell/);
    const row = '| `rivulet_jobmanager_x` | gauge | — | ms | — | x |\n';
    rejects(() => parseMetricReference(`${HEADER}${row}${row}`, 'm.md'), /m\.md:4: rivulet_jobmanager_x is documented twice \(first on line 3\)/);
    rejects(() => parseMetricReference('# nothing here\n', 'm.md'), /m\.md: no metric table rows/);
  });
});

describe('alerting rules block', () => {
  test('a missing marker or an unclosed block is refused', () => {
    rejects(() => alertingRulesBlock('```yaml\ngroups: []\n```\n', 'm.md'), /no "<!-- alerting-rules … -->" marker/);
    rejects(() => alertingRulesBlock('<!-- alerting-rules -->\n\n```yaml\n', 'm.md'), /m\.md:2: the alerting-rules marker must be followed at once by a ```yaml block/);
    rejects(() => alertingRulesBlock('<!-- alerting-rules -->\n```yaml\ngroups: []\n', 'm.md'), /m\.md:2: the ```yaml block of alerting rules is not closed/);
    assert.equal(alertingRulesBlock('<!-- alerting-rules -->\n```yaml\ngroups: []\n```\n', 'm.md'), 'groups: []\n');
  });
});

describe('scrape targets', () => {
  test('targets must be host:port, in a scrape config with a job name', () => {
    rejects(() => scrapeTargets('global: {}\n', 'p.yml'), /p\.yml: has no scrape_configs list/);
    rejects(() => scrapeTargets('scrape_configs:\n  - static_configs: []\n', 'p.yml'), /scrape_configs\[0\] has no job_name/);
    rejects(() => scrapeTargets('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [jobmanager-1]\n', 'p.yml'), /target "jobmanager-1" of job a is not "host:port"/);
    rejects(() => scrapeTargets('scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [x:1]\n        labels: { role: [a] }\n', 'p.yml'), /labels of a static_configs entry of job a: role is not a string/);
    rejects(() => scrapeTargets('scrape_configs: [\n', 'p.yml'), /p\.yml: not YAML/);
  });
});

describe('compose service configuration', () => {
  test('a --config path that no volume mounts is refused', () => {
    const services = composeServices('services:\n  jm:\n    command: [jobmanager, --config, /etc/rivulet/rivulet.yaml]\n', 'c.yml');
    rejects(() => composeServiceConfiguration(services, 'jm', '/tmp', 'c.yml'), /service jm reads --config \/etc\/rivulet\/rivulet\.yaml, which no volume of it mounts/);
    rejects(() => composeServiceConfiguration(services, 'tm', '/tmp', 'c.yml'), /c\.yml: has no service tm/);
  });

  test('the environment is validated by the daemons\' loader', () => {
    const services = composeServices('services:\n  jm:\n    environment:\n      RIVULET_REST_PORT: "80801"\n', 'c.yml');
    assert.throws(() => composeServiceConfiguration(services, 'jm', '/tmp', 'c.yml'), /rest\.port/);
    const ok = composeServices('services:\n  jm:\n    environment: [RIVULET_REST_PORT=9000]\n', 'c.yml');
    assert.equal(composeServiceConfiguration(ok, 'jm', '/tmp', 'c.yml')['rest.port'], 9000);
  });
});

describe('promtool', () => {
  test('a missing promtool names the Debian package that provides it', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      assert.throws(() => promtoolPath(), /promtool is not installed: install Debian's prometheus package \(apt-get install prometheus\)/);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
