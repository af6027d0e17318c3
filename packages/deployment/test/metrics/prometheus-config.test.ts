/**
 * deploy/prometheus/prometheus.yml: Prometheus's own promtool accepts it, and
 * it scrapes exactly the docker-compose services on the daemons' default
 * metrics ports, each target labelled with its role. docker-compose.yml is
 * cross-checked only once it defines those services.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { CONFIG_OPTIONS } from '@rivulet/common';
import { REPO_ROOT } from '@rivulet/testing';
import { composeServiceConfiguration, composeServices, runPromtool, scrapeTargets, serviceMounts, serviceNetworks } from '../../src/metrics/index.js';

const PROMETHEUS_YML = 'deploy/prometheus/prometheus.yml';
const path = join(REPO_ROOT, PROMETHEUS_YML);

/** The compose services and ports the sample configuration must scrape (issue 7). */
const JOBMANAGER_PORT = CONFIG_OPTIONS['rest.port'].default;
const TASKMANAGER_PORT = CONFIG_OPTIONS['taskmanager.http.port'].default;
const EXPECTED = [
  { host: 'jobmanager-1', port: JOBMANAGER_PORT, role: 'jobmanager' },
  { host: 'jobmanager-2', port: JOBMANAGER_PORT, role: 'jobmanager' },
  { host: 'taskmanager-1', port: TASKMANAGER_PORT, role: 'taskmanager' },
  { host: 'taskmanager-2', port: TASKMANAGER_PORT, role: 'taskmanager' },
  { host: 'taskmanager-3', port: TASKMANAGER_PORT, role: 'taskmanager' },
];

describe('the sample Prometheus configuration', { timeout: 30_000 }, () => {
  test('the daemons\' default metrics ports are the ones the compose services use (8081, 9249)', () => {
    assert.equal(JOBMANAGER_PORT, 8081);
    assert.equal(TASKMANAGER_PORT, 9249);
  });

  test('promtool check config accepts it', async () => {
    const result = await runPromtool(['check', 'config', path]);
    assert.ok(result.ok, `promtool check config ${PROMETHEUS_YML} failed:\n${result.output}`);
    assert.match(result.output, /SUCCESS/);
  });

  test('it scrapes every JobManager and TaskManager service on its metrics port, /metrics, with a role label', () => {
    const targets = scrapeTargets(readFileSync(path, 'utf8'), PROMETHEUS_YML);
    const actual = targets.map((t) => ({ host: t.host, port: t.port, role: t.labels['role'] })).sort((a, b) => a.host.localeCompare(b.host));
    assert.deepEqual(actual, EXPECTED);
    for (const target of targets) assert.equal(target.metricsPath, '/metrics', `${target.host} is scraped on /metrics`);
    const jobsByRole = new Map<string, Set<string>>();
    for (const target of targets) jobsByRole.set(target.labels['role']!, (jobsByRole.get(target.labels['role']!) ?? new Set()).add(target.job));
    assert.equal(jobsByRole.get('jobmanager')?.size, 1, 'the JobManagers form one scrape job');
    assert.equal(jobsByRole.get('taskmanager')?.size, 1, 'the TaskManagers form one scrape job');
    assert.notDeepEqual(jobsByRole.get('jobmanager'), jobsByRole.get('taskmanager'));
  });

  test('docker-compose.yml: the scraped services serve /metrics on those ports on every interface, and prometheus mounts this file', () => {
    const composeFile = 'docker-compose.yml';
    const services = composeServices(readFileSync(join(REPO_ROOT, composeFile), 'utf8'), composeFile);
    const missing = EXPECTED.filter((e) => !(e.host in services)).map((e) => e.host);
    assert.deepEqual(missing, [], `${composeFile} defines every scraped service`);
    const prometheus = services['prometheus'];
    assert.ok(prometheus, `${composeFile} has a prometheus service`);
    assert.deepEqual(prometheus.profiles, ['monitoring']);
    const mounts = serviceMounts(prometheus);
    assert.ok(
      mounts.some((m) => resolve(REPO_ROOT, m.source) === path && m.target === '/etc/prometheus/prometheus.yml'),
      `the prometheus service mounts ${PROMETHEUS_YML} at /etc/prometheus/prometheus.yml (volumes: ${mounts.map((m) => `${m.source}:${m.target}`).join(', ')})`,
    );
    for (const { host, port, labels } of scrapeTargets(readFileSync(path, 'utf8'), PROMETHEUS_YML)) {
      const role = labels['role'];
      assert.ok(role === 'jobmanager' || role === 'taskmanager', `target ${host}:${port} has role jobmanager or taskmanager, not ${role}`);
      assert.ok(services[host], `${composeFile} has a service ${host} for the target ${host}:${port}`);
      // The daemons' own loader resolves the service's --config file and environment.
      const config = composeServiceConfiguration(services, host, REPO_ROOT, composeFile);
      const [portKey, bindKey] = role === 'jobmanager' ? (['rest.port', 'rest.bind-address'] as const) : (['taskmanager.http.port', 'taskmanager.bind-host'] as const);
      assert.equal(config[portKey], port, `${host} serves /metrics on ${portKey} ${config[portKey]}, Prometheus scrapes ${port}`);
      assert.equal(config[bindKey], '0.0.0.0', `${host} binds ${bindKey} ${config[bindKey]}: Prometheus in another container cannot reach it`);
      const shared = serviceNetworks(services[host]!).filter((n) => serviceNetworks(prometheus).includes(n));
      assert.ok(shared.length > 0, `${host} and prometheus share a network`);
    }
  });
});
