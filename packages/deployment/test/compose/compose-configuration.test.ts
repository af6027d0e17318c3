import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigurationError, loadConfiguration } from '@rivulet/common';
import { REPO_ROOT, runCli } from '@rivulet/testing';
import { parseComposeText, readComposeFile, serviceEnvironment, type ComposeFile } from '../../src/compose/compose-file.js';
import { daemonServiceOf, loadDaemonConfiguration } from '../../src/compose/rivulet-services.js';

/**
 * Every Rivulet daemon of docker-compose.yml, its command, environment and
 * mounted config file, through the loader the daemons use at start
 * (@rivulet/common loadConfiguration): an unknown key or a bad value fails.
 */
const COMPOSE = join(REPO_ROOT, 'docker-compose.yml');
const file = readComposeFile(COMPOSE, {});
const DAEMONS = ['jobmanager-1', 'jobmanager-2', 'taskmanager-1', 'taskmanager-2', 'taskmanager-3'];
const tmp = mkdtempSync(join(tmpdir(), 'rivulet-compose-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function daemon(compose: ComposeFile, name: string) {
  const found = daemonServiceOf(compose, name);
  assert.ok(found, `${name} is not a Rivulet daemon service`);
  return found;
}

describe('docker-compose.yml through the daemons\' configuration loader', () => {
  it('finds exactly the five daemons, with their roles and the mounted config file', () => {
    const daemons = Object.keys(file.services).flatMap((name) => {
      const found = daemonServiceOf(file, name);
      return found ? [`${name}=${found.role}`] : [];
    });
    assert.deepEqual(daemons, DAEMONS.map((name) => `${name}=${name.replace(/-\d$/, '')}`));
    for (const name of DAEMONS) {
      assert.deepEqual(daemon(file, name).configFile, { containerPath: '/etc/rivulet/rivulet.yaml', hostPath: join(REPO_ROOT, 'deploy', 'compose', 'rivulet.yaml') });
    }
  });

  for (const name of DAEMONS) {
    it(`${name}: loads and is an etcd-HA member with S3 checkpoints on MinIO`, () => {
      const config = loadDaemonConfiguration(daemon(file, name));
      assert.equal(config['high-availability.type'], 'etcd');
      assert.deepEqual(config['high-availability.etcd.endpoints'], ['http://etcd:2379']);
      assert.equal(config['high-availability.cluster-id'], 'compose');
      assert.match(config['execution.checkpointing.dir'], /^s3:\/\/rivulet\//);
      assert.equal(config['s3.endpoint'], 'http://minio:9000');
      assert.equal(config['s3.path-style-access'], true);
      assert.equal(config['s3.access-key'], 'rivulet');
      assert.equal(config['s3.secret-key'], 'rivulet-secret');
      // MinIO takes the SDK's integrity checksums: the compose file leaves them on.
      assert.deepEqual([config['s3.checksum.request'], config['s3.checksum.response']], ['when-supported', 'when-supported']);
      if (name.startsWith('jobmanager')) {
        assert.deepEqual([config['jobmanager.rpc.address'], config['rest.address']], [name, name], 'advertises its service name');
        assert.deepEqual([config['jobmanager.bind-host'], config['rest.bind-address']], ['0.0.0.0', '0.0.0.0']);
        assert.deepEqual([config['jobmanager.rpc.port'], config['rest.port']], [6123, 8081]);
      } else {
        assert.deepEqual([config['taskmanager.host'], config['taskmanager.resource-id']], [name, name]);
        assert.equal(config['taskmanager.bind-host'], '0.0.0.0');
        assert.equal(config['taskmanager.http.port'], 9249);
      }
    });
  }

  it('the cli service finds the same cluster through etcd', () => {
    const cli = loadConfiguration({ env: serviceEnvironment(file.services['cli']!) });
    const jobManager = loadDaemonConfiguration(daemon(file, 'jobmanager-1'));
    for (const key of ['high-availability.type', 'high-availability.etcd.endpoints', 'high-availability.cluster-id'] as const) {
      assert.deepEqual(cli[key], jobManager[key], key);
    }
  });

  it('takes MinIO credentials from MINIO_ROOT_USER / MINIO_ROOT_PASSWORD when they are set', () => {
    const custom = readComposeFile(COMPOSE, { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'a-long-secret' });
    const config = loadDaemonConfiguration(daemon(custom, 'taskmanager-2'));
    assert.deepEqual([config['s3.access-key'], config['s3.secret-key']], ['admin', 'a-long-secret']);
    assert.equal(serviceEnvironment(custom.services['minio']!)['MINIO_ROOT_USER'], 'admin');
  });
});

describe('a compose-like service with a mistake is refused', () => {
  const configPath = join(tmp, 'rivulet.yaml');
  const compose = (environment: string, config = 'heartbeat.timeout: 5 s\n', command = '["taskmanager", "--config", "/etc/rivulet/rivulet.yaml"]'): ComposeFile => {
    writeFileSync(configPath, config);
    return parseComposeText(
      [
        'services:',
        '  taskmanager:',
        '    image: rivulet:0.1.0',
        '    build: { context: ., dockerfile: deploy/Dockerfile }',
        `    command: ${command}`,
        `    volumes: ["${configPath}:/etc/rivulet/rivulet.yaml:ro"]`,
        '    environment:',
        environment,
      ].join('\n'),
      join(REPO_ROOT, 'docker-compose.yml'),
    );
  };

  it('accepts the well-formed service these cases start from', () => {
    const config = loadDaemonConfiguration(daemon(compose('      RIVULET_HEARTBEAT_INTERVAL: 1 s'), 'taskmanager'));
    assert.equal(config['heartbeat.interval'], 1000);
  });

  it('an unknown RIVULET_* variable, naming it and the nearest known one', () => {
    assert.throws(() => loadDaemonConfiguration(daemon(compose('      RIVULET_HEARTBEAT_TIMOUT: 3 s'), 'taskmanager')), (err: unknown) => {
      assert.ok(err instanceof ConfigurationError);
      assert.equal(err.message, 'environment: unknown configuration variable RIVULET_HEARTBEAT_TIMOUT (did you mean RIVULET_HEARTBEAT_TIMEOUT?)');
      return true;
    });
  });

  it('an unknown key in the mounted config file, naming the file', () => {
    assert.throws(
      () => loadDaemonConfiguration(daemon(compose('      RIVULET_HEARTBEAT_INTERVAL: 1 s', 'taskmanager.numberOfSlots: 2\n'), 'taskmanager')),
      new RegExp(`config file ${configPath}: unknown configuration key "taskmanager.numberOfSlots" \\(did you mean "taskmanager.numberOfTaskSlots"\\?\\)`),
    );
  });

  it('a bad value, naming the variable', () => {
    assert.throws(
      () => loadDaemonConfiguration(daemon(compose('      RIVULET_S3_PATH_STYLE_ACCESS: "yes"'), 'taskmanager')),
      /environment RIVULET_S3_PATH_STYLE_ACCESS: bad value for "s3.path-style-access": expected true or false, got "yes"/,
    );
  });

  it('an unknown -D key in the command', () => {
    assert.throws(
      () => loadDaemonConfiguration(daemon(compose('      RIVULET_HEARTBEAT_INTERVAL: 1 s', undefined, '["taskmanager", "-D", "rest.prot=1"]'), 'taskmanager')),
      /command line: unknown configuration key "rest.prot" \(did you mean "rest.port"\?\)/,
    );
  });

  it('a --config path no volume provides', () => {
    assert.throws(
      () => daemon(compose('      RIVULET_HEARTBEAT_INTERVAL: 1 s', undefined, '["taskmanager", "--config", "/etc/rivulet.yaml"]'), 'taskmanager'),
      /\/etc\/rivulet\.yaml is in none of the service's volumes/,
    );
  });

  it('a flag this check does not read', () => {
    assert.throws(
      () => daemon(compose('      RIVULET_HEARTBEAT_INTERVAL: 1 s', undefined, '["taskmanager", "--slots", "2"]'), 'taskmanager'),
      /service taskmanager: "--slots" is not checked by this test: set the key with -D key=value, a RIVULET_\* variable or the config file/,
    );
  });

  it('and the rivulet CLI itself refuses it at start, with exit code 2', async () => {
    const broken = daemon(compose('      RIVULET_HEARTBEAT_TIMOUT: 3 s'), 'taskmanager');
    const result = await runCli([broken.role, '--config', broken.configFile!.hostPath], { env: broken.env, timeoutMs: 30_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.trim(), 'rivulet: environment: unknown configuration variable RIVULET_HEARTBEAT_TIMOUT (did you mean RIVULET_HEARTBEAT_TIMEOUT?)');
  });
});
