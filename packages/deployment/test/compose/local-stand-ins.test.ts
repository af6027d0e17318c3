import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ContainerRoot, LocalStandInError, rewriteAddresses, rewriteConfigText, rewriteEnvironment, type HostMapping } from '../../src/compose/local-stand-ins.js';

const mapping: HostMapping = {
  endpoints: { 'etcd:2379': '127.0.0.1:40001', 'minio:9000': '127.0.0.1:40002' },
  serviceNames: ['etcd', 'minio', 'jobmanager-1', 'taskmanager-1'],
};

describe('what the parity test rewrites', () => {
  it('maps stand-in endpoints inside URLs and lists', () => {
    assert.equal(rewriteAddresses('RIVULET_HIGH_AVAILABILITY_ETCD_ENDPOINTS', 'http://etcd:2379,http://etcd:2379', mapping), 'http://127.0.0.1:40001,http://127.0.0.1:40001');
    assert.equal(rewriteAddresses('s3.endpoint', 'http://minio:9000', mapping), 'http://127.0.0.1:40002');
  });

  it('maps service names and 0.0.0.0 only in address and host values', () => {
    assert.deepEqual(
      rewriteEnvironment(
        {
          RIVULET_JOBMANAGER_RPC_ADDRESS: 'jobmanager-1',
          RIVULET_TASKMANAGER_HOST: 'taskmanager-1',
          RIVULET_TASKMANAGER_BIND_HOST: '0.0.0.0',
          RIVULET_TASKMANAGER_RESOURCE_ID: 'taskmanager-1',
          RIVULET_HIGH_AVAILABILITY_CLUSTER_ID: 'compose',
        },
        mapping,
      ),
      {
        RIVULET_JOBMANAGER_RPC_ADDRESS: '127.0.0.1',
        RIVULET_TASKMANAGER_HOST: '127.0.0.1',
        RIVULET_TASKMANAGER_BIND_HOST: '127.0.0.1',
        RIVULET_TASKMANAGER_RESOURCE_ID: 'taskmanager-1',
        RIVULET_HIGH_AVAILABILITY_CLUSTER_ID: 'compose',
      },
    );
  });

  it('refuses a service endpoint it has no stand-in for', () => {
    assert.throws(() => rewriteAddresses('s3.endpoint', 'http://minio:9002', mapping), new LocalStandInError('"http://minio:9002" names minio:9002, which has no local stand-in (known: etcd:2379, minio:9000)'));
  });

  it('rewrites the values of a YAML config, flat and nested, and keeps the rest', () => {
    const text = 'jobmanager.bind-host: 0.0.0.0\nrest:\n  bind-address: 0.0.0.0\ns3.endpoint: http://minio:9000\nheartbeat.timeout: 5 s\ntaskmanager.numberOfTaskSlots: 2\n';
    assert.deepEqual(parseYaml(rewriteConfigText(text, mapping)), {
      'jobmanager.bind-host': '127.0.0.1',
      rest: { 'bind-address': '127.0.0.1' },
      's3.endpoint': 'http://127.0.0.1:40002',
      'heartbeat.timeout': '5 s',
      'taskmanager.numberOfTaskSlots': 2,
    });
  });
});

describe('the containers\' root as a local folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-container-root-'));
  const root = new ContainerRoot(join(dir, 'root'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(root.volumesDir, { recursive: true, force: true });
  });

  it('links bind mounts and shares a named volume between services', () => {
    const config = join(dir, 'rivulet.yaml');
    const rewritten = join(dir, 'rewritten.yaml');
    writeFileSync(config, 'original: true\n');
    writeFileSync(rewritten, 'rewritten: true\n');
    const replace = new Map([[config, rewritten]]);
    root.mount('taskmanager-1', [
      { type: 'bind', source: config, target: '/etc/rivulet/rivulet.yaml', readOnly: true },
      { type: 'volume', source: 'output', target: '/.rivulet/output', readOnly: false },
    ], replace);
    root.mount('cli', [{ type: 'volume', source: 'output', target: '/.rivulet/output', readOnly: false }]);
    assert.equal(readFileSync(root.pathOf('/etc/rivulet/rivulet.yaml'), 'utf8'), 'rewritten: true\n');
    writeFileSync(join(root.pathOf('/.rivulet/output'), 'part-0'), 'x');
    assert.ok(existsSync(join(root.volumesDir, 'output', 'part-0')));
    assert.equal(realpathSync(root.pathOf('/.rivulet/output')), realpathSync(join(root.volumesDir, 'output')));
    assert.deepEqual(root.localArgs(['taskmanager', '--config', '/etc/rivulet/rivulet.yaml', '--config=/etc/x.yaml', '-D', 'a=b']), [
      'taskmanager', '--config', join(root.dir, 'etc/rivulet/rivulet.yaml'), `--config=${join(root.dir, 'etc/x.yaml')}`, '-D', 'a=b',
    ]);
  });

  it('refuses two different sources at one target', () => {
    assert.throws(
      () => root.mount('other', [{ type: 'volume', source: 'other-output', target: '/.rivulet/output', readOnly: false }]),
      /service other mounts .*other-output at \/\.rivulet\/output, where another service mounts .*output/,
    );
  });
});
