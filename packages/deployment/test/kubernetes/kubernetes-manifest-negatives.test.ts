import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import { checkManifests, renderKustomization, type KubernetesObject } from '../../src/kubernetes/index.js';
import { containerOf, kustomizationDir, objectNamed, render } from './manifests.js';

/**
 * The checks of kubernetes-manifests.test.ts catch broken manifests: each
 * case breaks one thing, through a kustomize overlay or in the rendered
 * objects, and expects the problem that names it. (An overlay that only
 * passes the checks would show nothing.)
 */

const scratch = mkdtempSync(join(tmpdir(), 'rivulet-k8s-negative-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An overlay of the real base with the given kustomization body and files. */
async function renderOverlay(name: string, kustomization: string, files: Record<string, string>): Promise<KubernetesObject[]> {
  const dir = join(scratch, name);
  mkdirSync(dir);
  // kustomize takes a base by a relative path only.
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n  - ${relative(dir, kustomizationDir('base'))}\n${kustomization}`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return renderKustomization(dir);
}

async function assertProblem(objects: readonly KubernetesObject[], expected: RegExp): Promise<void> {
  const problems = await checkManifests(objects);
  assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${String(expected)}, got ${JSON.stringify(problems, null, 2)}`);
}

function jobManagerDeployment(objects: readonly KubernetesObject[]): IDeployment {
  return objectNamed<IDeployment>(objects, 'Deployment', 'rivulet-jobmanager');
}

describe('Kubernetes manifest checks catch broken manifests', () => {
  test('a field the Kubernetes API does not define (a misspelt probe field, through an overlay patch)', async () => {
    const objects = await renderOverlay('unknown-field', 'patches:\n  - path: probe.yaml\n', {
      'probe.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: rivulet-jobmanager }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: jobmanager',
        '          livenessProbe: { httpGett: { path: /healthz, port: rest } }',
        '',
      ].join('\n'),
    });
    await assertProblem(objects, /^Deployment\/rivulet-jobmanager: unknown field \/spec\/template\/spec\/containers\/0\/livenessProbe\/httpGett$/);
  });

  test('a configuration key the daemons do not know (through an overlay\'s rivulet.yaml)', async () => {
    const objects = await renderOverlay(
      'bad-config-key',
      'configMapGenerator:\n  - name: rivulet-config\n    behavior: replace\n    files: [rivulet.yaml]\n',
      { 'rivulet.yaml': 'high-availability.type: etcd\nhigh-availability.etcd.endpoints: [http://etcd:2379]\nheartbeat.timout: 3 s\n' },
    );
    await assertProblem(objects, /container jobmanager: .*\/etc\/rivulet\/rivulet\.yaml \(ConfigMap\/rivulet-config-\w+ key rivulet\.yaml\).*unknown configuration key "heartbeat\.timout" \(did you mean "heartbeat\.timeout"\?\)/);
  });

  test('a value of the wrong type in the ConfigMap', async () => {
    const objects = await render('base');
    const config = objectNamed<IConfigMap>(objects, 'ConfigMap', 'rivulet-config');
    config.data = { 'rivulet.yaml': (config.data?.['rivulet.yaml'] ?? '').replace('rest.port: 8081', 'rest.port: eighty') };
    await assertProblem(objects, /bad value for "rest\.port"/);
  });

  test('a kind with no Kubernetes API schema', async () => {
    const objects = await render('base');
    const deployment = jobManagerDeployment(objects) as unknown as KubernetesObject;
    await assertProblem([...objects, { ...deployment, kind: 'Deploymnet' }], /Deploymnet\/rivulet-jobmanager: no Kubernetes API schema for kind "Deploymnet" in apiVersion "apps\/v1"/);
    await assertProblem([...objects, { ...deployment, apiVersion: 'apps/v9' }], /no Kubernetes API schema for apiVersion "apps\/v9"/);
  });

  test('a value the schema refuses', async () => {
    const objects = await render('base');
    (jobManagerDeployment(objects).spec as { replicas: unknown }).replicas = 'two';
    await assertProblem(objects, /^Deployment\/rivulet-jobmanager: \/spec\/replicas must be integer$/);
  });

  test('Service links left on: the kubelet\'s RIVULET_…_SERVICE_HOST variables are unknown keys to the daemons', async () => {
    const objects = await render('base');
    delete jobManagerDeployment(objects).spec?.template.spec?.enableServiceLinks;
    await assertProblem(objects, /^Deployment\/rivulet-jobmanager container jobmanager: environment: unknown configuration variable RIVULET_JOBMANAGER_SERVICE_HOST/);
  });

  test('a grace period shorter than the daemons\' graceful stop', async () => {
    const objects = await render('base');
    const spec = jobManagerDeployment(objects).spec?.template.spec;
    assert.ok(spec);
    spec.terminationGracePeriodSeconds = 10;
    await assertProblem(objects, /container jobmanager: terminationGracePeriodSeconds 10 s is shorter than cluster\.services\.shutdown-timeout \(10000 ms\) \+ 2000 ms/);
  });

  test('probes the daemons do not serve', async () => {
    const objects = await render('base');
    const jm = containerOf(objects, 'Deployment', 'rivulet-jobmanager', 'jobmanager');
    assert.ok(jm.readinessProbe?.httpGet && jm.livenessProbe?.httpGet);
    jm.readinessProbe.httpGet.path = '/healthz';
    jm.livenessProbe.httpGet.port = 6123;
    const tm = containerOf(objects, 'Deployment', 'rivulet-taskmanager', 'taskmanager');
    assert.ok(tm.readinessProbe?.httpGet);
    tm.readinessProbe.httpGet.path = '/healthz';
    const problems = await checkManifests(objects);
    for (const expected of [
      /container jobmanager: the readiness probe asks \/healthz, but the JobManager's readiness endpoint is \/readyz/,
      /container jobmanager: the liveness probe asks port 6123, but rest\.port is 8081/,
      /container taskmanager: the readiness probe asks \/healthz, but the TaskManager's readiness endpoint is \/readyz/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in ${JSON.stringify(problems, null, 2)}`);
    }
  });

  test('a pod that advertises something else than its pod IP, or binds only the loopback', async () => {
    const objects = await render('base');
    const jm = containerOf(objects, 'Deployment', 'rivulet-jobmanager', 'jobmanager');
    jm.env = jm.env?.filter((e) => e.name !== 'RIVULET_REST_ADDRESS');
    jm.env?.push({ name: 'RIVULET_JOBMANAGER_BIND_HOST', value: '127.0.0.1' });
    await assertProblem(objects, /container jobmanager: rest\.address resolves to 127\.0\.0\.1, not the pod's IP: set it from status\.podIP \(env RIVULET_REST_ADDRESS/);
    await assertProblem(objects, /container jobmanager: jobmanager\.bind-host is 127\.0\.0\.1; in a pod it must be 0\.0\.0\.0/);
  });

  test('a Service whose target port no pod declares, and selectors that select nothing', async () => {
    const objects = await render('base');
    const service = objectNamed<IService>(objects, 'Service', 'rivulet-jobmanager');
    const rest = service.spec?.ports?.find((p) => p.name === 'rest');
    assert.ok(rest);
    rest.targetPort = 'restt';
    const budget = objectNamed<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', 'rivulet-taskmanager');
    budget.spec = { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': 'task-manager' } } };
    const deployment = jobManagerDeployment(objects);
    assert.ok(deployment.spec);
    deployment.spec.selector = { matchLabels: { 'app.kubernetes.io/component': 'jobmanagers' } };
    const problems = await checkManifests(objects);
    for (const expected of [
      /^Service\/rivulet-jobmanager: port rest targets restt, which no container of Deployment\/rivulet-jobmanager declares$/,
      /^PodDisruptionBudget\/rivulet-taskmanager: selector .* selects no pod template$/,
      /^Deployment\/rivulet-jobmanager: spec\.selector .* does not match its pod template's labels/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in ${JSON.stringify(problems, null, 2)}`);
    }
  });

  test('JobManager standbys with a rolling update, a disruption budget, or without etcd', async () => {
    const objects = await render('base');
    const deployment = jobManagerDeployment(objects);
    assert.ok(deployment.spec);
    deployment.spec.strategy = { type: 'RollingUpdate' };
    const budget = objectNamed<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', 'rivulet-taskmanager');
    objects.push({ ...(structuredClone(budget) as unknown as KubernetesObject), metadata: { name: 'rivulet-jobmanager' }, spec: { maxUnavailable: 1, selector: deployment.spec.selector } });
    containerOf(objects, 'Deployment', 'rivulet-jobmanager', 'jobmanager').env?.push({ name: 'RIVULET_HIGH_AVAILABILITY_TYPE', value: 'none' });
    const problems = await checkManifests(objects);
    for (const expected of [
      /^Deployment\/rivulet-jobmanager: strategy RollingUpdate would wait forever/,
      /^PodDisruptionBudget\/rivulet-jobmanager: selects the JobManagers/,
      /container jobmanager: 2 JobManagers without high-availability\.type etcd would each act as leader/,
      /container taskmanager: high-availability\.type is "etcd", but .* container jobmanager has "none"/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in ${JSON.stringify(problems, null, 2)}`);
    }
  });

  test('a missing Secret, a root container and an unpinned image', async () => {
    const objects = (await render('overlays/dev')).filter((o) => o.kind !== 'Secret');
    const etcd = containerOf(objects, 'Deployment', 'rivulet-etcd', 'etcd');
    etcd.image = 'quay.io/coreos/etcd:latest';
    etcd.securityContext = { ...etcd.securityContext, runAsUser: 0 };
    const problems = await checkManifests(objects);
    for (const expected of [
      /^Deployment\/rivulet-jobmanager container jobmanager: refers to Secret rivulet-s3-credentials-\w+, which the manifests do not create$/,
      /^Deployment\/rivulet-etcd container etcd: must set runAsNonRoot: true and a non-zero numeric runAsUser$/,
      /^Deployment\/rivulet-etcd container etcd: image "quay\.io\/coreos\/etcd:latest" is not pinned \(latest\)$/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in ${JSON.stringify(problems, null, 2)}`);
    }
  });

  test('a container argument the daemons would not take', async () => {
    const objects = await render('base');
    containerOf(objects, 'Deployment', 'rivulet-taskmanager', 'taskmanager').args = ['task-manager', '--config', '/etc/rivulet/rivulet.yaml'];
    containerOf(objects, 'Deployment', 'rivulet-jobmanager', 'jobmanager').args = ['jobmanager', '--config', '/etc/rivulet/missing.yaml'];
    const problems = await checkManifests(objects);
    for (const expected of [
      /container taskmanager: the first argument must be "jobmanager" or "taskmanager", got "task-manager"$/,
      /container jobmanager: --config \/etc\/rivulet\/missing\.yaml: \/etc\/rivulet\/missing\.yaml is mounted from ConfigMap\/rivulet-config-\w+, which has no key for "missing\.yaml"$/,
    ]) {
      assert.ok(problems.some((p) => expected.test(p)), `${String(expected)} in ${JSON.stringify(problems, null, 2)}`);
    }
  });
});
