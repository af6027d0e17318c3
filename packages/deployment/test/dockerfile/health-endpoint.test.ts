import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfiguration, parseKeyValuePairs, environmentVariableOf as loaderVariableOf, CONFIG_KEYS } from '@rivulet/common';
import { REPO_ROOT } from '@rivulet/testing';
import { daemonCommandOf, type DaemonRole } from '../../src/dockerfile/daemon-process.js';
import { HealthEndpointError, ROLE_KEYS, environmentVariableOf, parseDaemonArgs, resolveHealthEndpoint } from '../../src/dockerfile/health-endpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-health-endpoint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The named flags of `rivulet jobmanager|taskmanager` that set the two keys (packages/cli/src/commands/*.ts). */
const NAMED_FLAGS: Record<DaemonRole, Record<string, string[]>> = {
  jobmanager: { '--rest-port': ['rest.port'], '--host': ['rest.bind-address', 'jobmanager.bind-host', 'jobmanager.rpc.address', 'rest.address'] },
  taskmanager: { '--http-port': ['taskmanager.http.port'], '--host': ['taskmanager.bind-host', 'taskmanager.host'] },
};

/** What the daemon itself resolves: the CLI's flag mapping and @rivulet/common's loadConfiguration. */
function loaderEndpoint(role: DaemonRole, args: string[], env: Record<string, string>, cwd: string): { host: string; port: number } {
  const parsed = parseDaemonArgs(args);
  const named: Record<string, string> = {};
  for (const [flag, value] of parsed.named) for (const key of NAMED_FLAGS[role][flag] ?? []) named[key] = value;
  const file = parsed.configFile === undefined ? undefined : resolve(cwd, parsed.configFile);
  const pairs = parseKeyValuePairs([...parsed.pairs].map(([k, v]) => `${k}=${v}`));
  const config = loadConfiguration({ file, env, flags: { ...pairs, ...named } }) as unknown as Record<string, unknown>;
  const keys = ROLE_KEYS[role];
  const bind = String(config[keys.bindKey]);
  return { host: bind === '0.0.0.0' ? '127.0.0.1' : bind, port: Number(config[keys.portKey]) };
}

describe('where a daemon serves /healthz', () => {
  const flat = configFile('flat.yaml', 'rest.port: 18082\ntaskmanager.http.port: 19250\nheartbeat.timeout: 3 s\n');
  const nested = configFile('nested.yaml', 'rest:\n  port: 18084\n  bind-address: 0.0.0.0\ntaskmanager:\n  bind-host: 0.0.0.0\n  http:\n    port: "19251"\n');
  configFile('relative.yaml', 'rest.port: 18090\n');

  const cases: Array<{ name: string; role: DaemonRole; args: string[]; env?: Record<string, string>; cwd?: string }> = [
    { name: 'JobManager defaults', role: 'jobmanager', args: [] },
    { name: 'TaskManager defaults', role: 'taskmanager', args: [] },
    { name: 'port from the environment', role: 'jobmanager', args: [], env: { RIVULET_REST_PORT: '18081' } },
    { name: 'port from a flat config file', role: 'jobmanager', args: ['--config', flat] },
    { name: 'environment beats the file', role: 'jobmanager', args: ['--config', flat], env: { RIVULET_REST_PORT: ' 18083 ' } },
    { name: 'nested keys and 0.0.0.0', role: 'jobmanager', args: ['-c', nested] },
    { name: '-D beats the environment', role: 'jobmanager', args: ['-D', 'rest.port=18085'], env: { RIVULET_REST_PORT: '18081' } },
    { name: 'the named flag beats -D', role: 'jobmanager', args: ['-D', 'rest.port=18085', '--rest-port', '18086'] },
    { name: 'attached forms', role: 'jobmanager', args: ['--config=' + flat, '-Drest.port=18088', '--set=rest.bind-address=127.0.0.2'] },
    { name: '--host sets the bind address', role: 'jobmanager', args: ['--host', '127.0.0.3', '--rpc-port', '0'] },
    { name: 'a config path relative to the daemon\'s directory', role: 'jobmanager', args: ['--config', 'relative.yaml'], cwd: dir },
    { name: 'TaskManager flat file', role: 'taskmanager', args: ['--config', flat, '--jobmanager', 'jm:6123', '--slots', '2'] },
    { name: 'TaskManager nested file, string port', role: 'taskmanager', args: ['--config', nested] },
    { name: 'TaskManager flags', role: 'taskmanager', args: ['--http-port', '19252', '--host', '0.0.0.0', '--data-port', '0'] },
    { name: 'TaskManager environment', role: 'taskmanager', args: [], env: { RIVULET_TASKMANAGER_HTTP_PORT: '19253', RIVULET_TASKMANAGER_BIND_HOST: '0.0.0.0' } },
    { name: 'the compose daemons\' config file', role: 'taskmanager', args: ['--config', 'deploy/compose/rivulet.yaml'], cwd: REPO_ROOT },
  ];

  for (const { name, role, args, env = {}, cwd = '/' } of cases) {
    it(`agrees with the daemon's own configuration loader: ${name}`, () => {
      const expected = loaderEndpoint(role, args, env, cwd);
      const endpoint = resolveHealthEndpoint(role, args, env, cwd);
      assert.deepEqual({ host: endpoint.host, port: endpoint.port }, expected);
      assert.equal(endpoint.url, `http://${expected.host}:${expected.port}/healthz`);
    });
  }

  it('names every key\'s environment variable as the loader does', () => {
    for (const key of CONFIG_KEYS) assert.equal(environmentVariableOf(key), loaderVariableOf(key));
  });

  it('refuses port 0, which only the daemon knows after it started', () => {
    assert.throws(() => resolveHealthEndpoint('taskmanager', ['--http-port', '0'], {}, '/'), (err: unknown) => {
      assert.ok(err instanceof HealthEndpointError);
      assert.match(err.message, /flag --http-port: "taskmanager\.http\.port" is 0 .*fixed port/);
      return true;
    });
  });

  it('names the source of a value that is not a port', () => {
    assert.throws(() => resolveHealthEndpoint('jobmanager', [], { RIVULET_REST_PORT: 'http' }, '/'), /environment RIVULET_REST_PORT: "rest\.port" is not a port number: "http"/);
  });

  it('names a config file it cannot read', () => {
    assert.throws(() => resolveHealthEndpoint('jobmanager', ['--config', join(dir, 'missing.yaml')], {}, '/'), /cannot read the daemon's config file .*missing\.yaml/);
  });
});

describe('which process is a Rivulet daemon', () => {
  it('recognises the image\'s, the bin\'s and the repository\'s command lines', () => {
    assert.deepEqual(daemonCommandOf(['node', '/usr/local/bin/rivulet', 'jobmanager', '--config', '/etc/rivulet/rivulet.yaml']), {
      role: 'jobmanager',
      args: ['--config', '/etc/rivulet/rivulet.yaml'],
    });
    assert.deepEqual(daemonCommandOf(['/usr/local/bin/node', '/opt/rivulet/bin/rivulet.js', 'taskmanager']), { role: 'taskmanager', args: [] });
    assert.deepEqual(daemonCommandOf(['node', '--enable-source-maps', '/src/packages/cli/dist/src/main.js', 'taskmanager', '-D', 'a=b']), {
      role: 'taskmanager',
      args: ['-D', 'a=b'],
    });
  });

  it('does not take clients, other programs or other scripts for a daemon', () => {
    assert.equal(daemonCommandOf(['node', '/usr/local/bin/rivulet', 'run', '/examples/wordcount.ts']), undefined);
    assert.equal(daemonCommandOf(['/usr/local/bin/etcd', '--name', 'jobmanager']), undefined);
    assert.equal(daemonCommandOf(['node', '/srv/server.js', 'jobmanager']), undefined);
    assert.equal(daemonCommandOf(['node']), undefined);
  });
});
