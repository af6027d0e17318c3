import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@rivulet/testing';
import {
  readComposeFile,
  serviceCommand,
  serviceDependencies,
  serviceEnvironment,
  serviceMounts,
  serviceNetworks,
} from '../../src/compose/compose-file.js';
import { execForm, lastOf, dockerfileStages } from '../../src/dockerfile/dockerfile-stages.js';
import { isRivuletService } from '../../src/compose/rivulet-services.js';

/**
 * The topology issue 7 asks for: etcd, MinIO with a bucket made at start,
 * two JobManagers and three TaskManagers on a network of their own, ordered
 * by health, with data volumes, and the cli service that submits the examples;
 * NATS with JetStream for the NATS connectors (issue 14).
 */
const file = readComposeFile(join(REPO_ROOT, 'docker-compose.yml'), {});
const services = file.services;
const DAEMONS = ['jobmanager-1', 'jobmanager-2', 'taskmanager-1', 'taskmanager-2', 'taskmanager-3'];

describe('docker-compose.yml topology', () => {
  it('has exactly the services of the HA cluster, the cli and prometheus', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'certs-init', 'cli', 'etcd', 'jobmanager-1', 'jobmanager-2', 'minio', 'minio-init', 'nats', 'prometheus', 'taskmanager-1', 'taskmanager-2', 'taskmanager-3',
    ]);
    assert.deepEqual(services['cli']?.profiles, ['cli']);
    assert.deepEqual(services['prometheus']?.profiles, ['monitoring']);
  });

  it('runs every Rivulet service from the image of deploy/Dockerfile', () => {
    for (const name of [...DAEMONS, 'cli']) assert.ok(isRivuletService(file, name), `${name} does not build deploy/Dockerfile`);
    const images = new Set([...DAEMONS, 'cli'].map((name) => services[name]?.image));
    assert.equal(images.size, 1, 'one image for every role');
  });

  it('pins every image by an exact version (no "latest")', () => {
    const pinned: Record<string, RegExp> = {
      etcd: /^gcr\.io\/etcd-development\/etcd:v\d+\.\d+\.\d+$/,
      minio: /^minio\/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/,
      'minio-init': /^minio\/mc:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/,
      prometheus: /^prom\/prometheus:v\d+\.\d+\.\d+$/,
      nats: /^nats:\d+\.\d+\.\d+-alpine$/,
    };
    for (const [name, pattern] of Object.entries(pinned)) assert.match(services[name]?.image ?? '', pattern, name);
  });

  it('puts every service on its own network "rivulet"', () => {
    assert.deepEqual(Object.keys((file.document['networks'] ?? {}) as object), ['rivulet']);
    for (const [name, service] of Object.entries(services)) assert.deepEqual(serviceNetworks(service), ['rivulet'], name);
  });

  it('orders start-up by health: etcd and MinIO healthy, the bucket made, JobManagers healthy', () => {
    assert.deepEqual(serviceDependencies(services['minio-init']!), { minio: 'service_healthy' });
    for (const name of ['jobmanager-1', 'jobmanager-2']) {
      assert.deepEqual(serviceDependencies(services[name]!), { etcd: 'service_healthy', 'minio-init': 'service_completed_successfully', 'certs-init': 'service_completed_successfully' }, name);
    }
    for (const name of ['taskmanager-1', 'taskmanager-2', 'taskmanager-3']) {
      assert.deepEqual(serviceDependencies(services[name]!), { 'jobmanager-1': 'service_healthy', 'jobmanager-2': 'service_healthy' }, name);
    }
    // The cli starts no JobManager, so it can show a failover while one is down.
    assert.deepEqual(serviceDependencies(services['cli']!), { etcd: 'service_healthy', 'certs-init': 'service_completed_successfully' });
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of Object.entries(serviceDependencies(service))) {
        if (condition === 'service_healthy') assert.ok(services[dependency]?.healthcheck?.test, `${name} waits for ${dependency} to be healthy, which has no healthcheck`);
      }
    }
  });

  it('gives the Rivulet daemons the image\'s own HEALTHCHECK command', () => {
    const final = dockerfileStages(readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8')).pop()!;
    const imageCheck = execForm(lastOf(final, 'HEALTHCHECK')!);
    for (const name of DAEMONS) assert.deepEqual(services[name]?.healthcheck?.test, ['CMD', ...imageCheck!], name);
  });

  it('keeps etcd\'s and MinIO\'s data on named volumes', () => {
    const volumes = Object.keys((file.document['volumes'] ?? {}) as object).sort();
    assert.deepEqual(volumes, ['etcd-data', 'minio-data', 'nats-data', 'prometheus-data', 'rivulet-output', 'rivulet-tls']);
    const etcdData = serviceCommand('etcd', services['etcd']!).find((a) => a.startsWith('--data-dir='))!.slice('--data-dir='.length);
    assert.deepEqual(serviceMounts(file, 'etcd'), [{ type: 'volume', source: 'etcd-data', target: etcdData, readOnly: false }]);
    const minioCommand = serviceCommand('minio', services['minio']!);
    assert.deepEqual(minioCommand.slice(0, 2), ['server', '/data']);
    assert.deepEqual(serviceMounts(file, 'minio'), [{ type: 'volume', source: 'minio-data', target: '/data', readOnly: false }]);
  });

  it('makes the bucket of the checkpoint directory with MinIO\'s credentials', () => {
    const command = serviceCommand('minio-init', services['minio-init']!);
    assert.deepEqual(command.slice(0, 2), ['mb', '--ignore-existing']);
    const [alias, bucket] = command[2]!.split('/');
    const minio = serviceEnvironment(services['minio']!);
    const mcHost = new URL(serviceEnvironment(services['minio-init']!)[`MC_HOST_${alias}`]!);
    assert.deepEqual([mcHost.username, mcHost.password, mcHost.host], [minio['MINIO_ROOT_USER'], minio['MINIO_ROOT_PASSWORD'], 'minio:9000']);
    const config = readFileSync(join(REPO_ROOT, 'deploy', 'compose', 'rivulet.yaml'), 'utf8');
    assert.match(config, new RegExp(`^execution\\.checkpointing\\.dir: s3://${bucket}/`, 'm'));
    for (const name of DAEMONS) {
      const env = serviceEnvironment(services[name]!);
      assert.deepEqual([env['RIVULET_S3_ACCESS_KEY'], env['RIVULET_S3_SECRET_KEY']], [minio['MINIO_ROOT_USER'], minio['MINIO_ROOT_PASSWORD']], name);
    }
  });

  it('mounts every bind source that exists in the repository', () => {
    for (const name of Object.keys(services)) {
      for (const mount of serviceMounts(file, name).filter((m) => m.type === 'bind')) {
        assert.ok(existsSync(mount.source), `${name}: ${mount.source} (mounted at ${mount.target}) does not exist`);
        assert.ok(mount.readOnly, `${name}: ${mount.target} should be mounted read-only`);
      }
    }
  });

  it('lets word count read its input and write its output in every TaskManager, where the cli can read it', () => {
    const job = readFileSync(join(REPO_ROOT, 'examples', 'wordcount.ts'), 'utf8');
    const defaults = Object.fromEntries([...job.matchAll(/getParameter\('(\w+)', '([^']+)'\)/g)].map((m) => [m[1], m[2]]));
    const cwd = services['cli']?.working_dir ?? '/';
    const input = posix.resolve(cwd, defaults['input']!);
    const output = posix.resolve(cwd, defaults['output']!);
    assert.equal(input, '/examples/data/hamlet.txt');
    const cliMounts = serviceMounts(file, 'cli');
    const outputVolume = cliMounts.find((m) => m.type === 'volume' && output.startsWith(`${m.target}/`));
    assert.ok(outputVolume, `the cli mounts no volume holding ${output}`);
    for (const name of ['taskmanager-1', 'taskmanager-2', 'taskmanager-3']) {
      const mounts = serviceMounts(file, name);
      const examples = mounts.find((m) => input.startsWith(`${m.target}/`));
      assert.ok(examples && existsSync(join(examples.source, posix.relative(examples.target, input))), `${name} cannot read ${input}`);
      assert.ok(mounts.some((m) => m.type === 'volume' && m.source === outputVolume.source && m.target === outputVolume.target), `${name} does not share ${outputVolume.source}`);
    }
    assert.ok(cliMounts.some((m) => m.type === 'bind' && m.target === '/examples' && m.source === join(REPO_ROOT, 'examples')), 'the cli mounts ./examples at /examples');
  });

  it('runs with internal mutual TLS and client authentication: certs-init makes a certificate for every daemon, each presents its own, the cli has the CA and the token', () => {
    const init = services['certs-init']!;
    assert.ok(isRivuletService(file, 'certs-init'), 'certs-init runs the Rivulet image, which has openssl');
    assert.deepEqual(init.entrypoint, ['sh', '/opt/rivulet/certs/create-certificates.sh']);
    const [outDir, ...names] = serviceCommand('certs-init', init);
    assert.equal(outDir, '/etc/rivulet/tls');
    assert.deepEqual([...names].sort(), [...DAEMONS].sort(), 'a certificate named after each daemon service (its host name)');
    const tlsVolume = serviceMounts(file, 'certs-init').find((m) => m.target === '/etc/rivulet/tls');
    assert.ok(tlsVolume?.type === 'volume' && !tlsVolume.readOnly, 'certs-init writes a named volume');
    assert.ok(serviceMounts(file, 'certs-init').some((m) => m.type === 'bind' && m.source === join(REPO_ROOT, 'deploy', 'certs') && m.target === '/opt/rivulet/certs'));
    for (const name of [...DAEMONS, 'cli']) {
      const env = serviceEnvironment(services[name]!);
      assert.equal(env['RIVULET_SECURITY_SSL_INTERNAL_ENABLED'], 'true', name);
      assert.equal(env['RIVULET_SECURITY_SSL_INTERNAL_CA'], `${outDir}/ca.crt`, name);
      assert.equal(env['RIVULET_SECURITY_AUTH_TOKEN_FILE'], `${outDir}/client-token`, name);
      assert.ok(serviceMounts(file, name).some((m) => m.type === 'volume' && m.source === tlsVolume.source && m.target === outDir && m.readOnly), `${name} mounts the certificates read-only`);
      if (name === 'cli') {
        assert.equal(env['RIVULET_SECURITY_SSL_INTERNAL_KEY'], undefined, 'the cli holds no daemon key');
      } else {
        assert.equal(env['RIVULET_SECURITY_SSL_INTERNAL_CERT'], `${outDir}/${name}.crt`, name);
        assert.equal(env['RIVULET_SECURITY_SSL_INTERNAL_KEY'], `${outDir}/${name}.key`, name);
      }
    }
  });
});
