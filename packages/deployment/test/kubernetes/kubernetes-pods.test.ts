import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  etcdBinary,
  parsePrometheusText,
  startEtcd,
  s3rverChecksumSettings,
  startS3Server,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
  type StartedS3Server,
} from '@rivulet/testing';
import { DAEMONS, rivuletContainers, type KubernetesObject } from '../../src/kubernetes/index.js';
import { startLocalPod, type LocalPod } from './local-pod.js';
import { render } from './manifests.js';

/**
 * The Rivulet containers of the dev overlay, run as local processes against
 * a real etcd and an S3 test server (in MinIO's place): two JobManager pods
 * and a TaskManager pod, started with the manifests' arguments, mounted
 * config file and environment (see local-pod.ts for what is mapped). Their
 * probes, as the manifests declare them, must answer as a kubelet expects:
 * both JobManagers live, only the leader ready; after the kubelet's SIGTERM
 * to the leader, the standby becomes ready, and each pod stops within its
 * terminationGracePeriodSeconds.
 */

const workDir = mkdtempSync(join(tmpdir(), 'rivulet-k8s-pods-'));
let etcd: StartedEtcd | undefined;
let s3: StartedS3Server | undefined;

after(async () => {
  await stopAllProcesses();
  await etcd?.close();
  await s3?.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function stopLikeKubelet(pod: LocalPod, graceSeconds: number): Promise<{ ms: number; code: number | null }> {
  const started = performance.now();
  pod.process.signal('SIGTERM');
  const timer = setTimeout(() => pod.process.signal('SIGKILL'), graceSeconds * 1000);
  const { code } = await pod.process.exited;
  clearTimeout(timer);
  return { ms: Math.round(performance.now() - started), code };
}

function graceSecondsOf(pod: LocalPod): number {
  return pod.resolved.template.template.spec?.terminationGracePeriodSeconds ?? 30;
}

describe('dev overlay containers as local processes', { skip: etcdBinary() === undefined ? 'etcd is not installed (scripts/setup.sh installs Debian\'s etcd-server)' : false }, () => {
  test('probes answer as the manifests expect; the standby becomes ready when the leader is stopped; pods stop within their grace period', async (t) => {
    const objects: KubernetesObject[] = await render('overlays/dev');
    const containers = rivuletContainers(objects);
    const jobManager = containers.find((c) => c.container.args?.[0] === 'jobmanager');
    const taskManager = containers.find((c) => c.container.args?.[0] === 'taskmanager');
    assert.ok(jobManager && taskManager);
    assert.equal(jobManager.template.replicas, 2);

    const [startedEtcd, startedS3] = await Promise.all([
      startEtcd().then((server) => (etcd = server)),
      startS3Server({ buckets: ['rivulet'] }).then((server) => (s3 = server)),
    ]);
    const servers = {
      etcdEndpoint: startedEtcd.endpoint,
      s3Endpoint: startedS3.endpoint,
      s3AccessKey: startedS3.accessKey,
      s3SecretKey: startedS3.secretKey,
      s3Exceptions: s3rverChecksumSettings(),
    };
    // Like a Deployment's pods, all start at once.
    const [jm0, jm1, tm] = await Promise.all([
      startLocalPod(objects, jobManager, { index: 0, servers, workDir }),
      startLocalPod(objects, jobManager, { index: 1, servers, workDir }),
      startLocalPod(objects, taskManager, { index: 0, servers, workDir }),
    ]);
    const jobManagers = [jm0, jm1];

    // Both JobManagers are live; exactly one (the leader) is ready, the standby answers 503.
    for (const jm of jobManagers) {
      assert.equal(await jm.probe('startup'), 200, `${jm.name} startup`);
      assert.equal(await jm.probe('liveness'), 200, `${jm.name} liveness`);
    }
    const readiness = await waitFor(async () => {
      const statuses = await Promise.all(jobManagers.map((jm) => jm.probe('readiness')));
      return statuses.includes(200) ? statuses : undefined;
    }, { timeoutMs: 15_000, what: 'a JobManager to become ready (leader)' });
    assert.deepEqual([...readiness].sort(), [200, 503]);
    const leader = jobManagers[readiness.indexOf(200)];
    const standby = jobManagers[readiness.indexOf(503)];
    assert.ok(leader && standby);

    // The TaskManager: live, and ready once registered with the leader (a kubelet polls readiness; the
    // registration, over mutual TLS, may follow the leader's election by a backoff step) under its pod name and pod IP.
    assert.equal(await tm.probe('liveness'), 200);
    await waitFor(async () => ((await tm.probe('readiness')) === 200 ? true : undefined), { timeoutMs: 15_000, what: `${tm.name} ready` });
    const registered = async (jm: LocalPod): Promise<boolean> => {
      const { text } = await jm.get('rest', '/taskmanagers');
      const tms = (JSON.parse(text) as { taskmanagers: { id: string; path: string }[] }).taskmanagers;
      return tms.some((r) => r.id === tm.name && r.path === `127.0.0.1:${tm.localPort('rpc')}`);
    };
    await waitFor(() => registered(leader), { timeoutMs: 15_000, what: `${tm.name} registered with ${leader.name}` });
    const overview = JSON.parse((await leader.get('rest', '/overview')).text) as Record<string, number>;
    assert.equal(overview['slots-total'], tm.resolved.config['taskmanager.numberOfTaskSlots']);

    // What the prometheus.io annotations point at is Prometheus text, on every pod.
    for (const pod of [...jobManagers, tm]) {
      const annotations = pod.resolved.template.template.metadata?.annotations ?? {};
      const { status, text } = await pod.get(Number(annotations['prometheus.io/port']), annotations['prometheus.io/path'] ?? '');
      assert.equal(status, 200, `${pod.name} metrics`);
      assert.ok(parsePrometheusText(text).length > 0, `${pod.name} exports metrics`);
      assert.equal(annotations['prometheus.io/path'], DAEMONS[pod.resolved.args.daemon].metricsPath);
    }

    // The kubelet deletes the leader's pod: SIGTERM, SIGKILL after the grace period.
    const leaderStop = await stopLikeKubelet(leader, graceSecondsOf(leader));
    const stopped = performance.now();
    assert.equal(leaderStop.code, 0, 'the leader stopped gracefully, before SIGKILL');
    assert.ok(leaderStop.ms < graceSecondsOf(leader) * 1000);
    await waitFor(async () => (await standby.probe('readiness')) === 200, { timeoutMs: 10_000, what: `${standby.name} to become ready` });
    const takeoverMs = Math.round(performance.now() - stopped);
    // It resigned its lease: the standby leads before the lease would have expired.
    assert.ok(takeoverMs < standby.resolved.config['high-availability.etcd.lease-ttl'], `takeover in ${takeoverMs} ms`);
    await waitFor(() => registered(standby), { timeoutMs: 15_000, what: `${tm.name} registered with the new leader` });

    const tmStop = await stopLikeKubelet(tm, graceSecondsOf(tm));
    const standbyStop = await stopLikeKubelet(standby, graceSecondsOf(standby));
    for (const [name, stop] of [['TaskManager', tmStop], ['JobManager', standbyStop]] as const) {
      assert.equal(stop.code, 0, `${name} stopped gracefully`);
    }
    t.diagnostic(`leader SIGTERM→exit ${leaderStop.ms} ms; SIGTERM→standby ready ${takeoverMs} ms; TaskManager SIGTERM→exit ${tmStop.ms} ms; last JobManager SIGTERM→exit ${standbyStop.ms} ms (grace ${graceSecondsOf(leader)} s)`);
  });
});
