import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_KEYS,
  CONFIG_OPTIONS,
  ConfigurationError,
  environmentVariableOf,
  loadConfiguration,
  parseKeyValuePairs,
  type ConfigKey,
} from '../src/index.js';

let dir: string;
let fileCount = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivulet-config-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` to a fresh YAML file in the temp directory and returns its path. */
function yamlFile(text: string): string {
  fileCount += 1;
  const path = join(dir, `config-${fileCount}.yaml`);
  writeFileSync(path, text, 'utf8');
  return path;
}

/** Runs `fn`, asserts it throws a ConfigurationError, and returns the error. */
function configError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigurationError, `expected a ConfigurationError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigurationError, nothing was thrown');
}

describe('loadConfiguration: defaults', () => {
  test('every key takes its default when nothing is set', () => {
    const config = loadConfiguration();
    for (const key of CONFIG_KEYS) {
      assert.deepEqual(config[key], CONFIG_OPTIONS[key].default, key);
    }
  });

  test('a few defaults have the documented values', () => {
    const config = loadConfiguration({ env: {} });
    assert.equal(config['jobmanager.rpc.port'], 6123);
    assert.equal(config['rest.port'], 8081);
    assert.equal(config['heartbeat.interval'], 1000);
    assert.equal(config['heartbeat.timeout'], 5000);
    assert.equal(config['high-availability.type'], 'none');
    assert.deepEqual(config['high-availability.etcd.endpoints'], []);
    assert.equal(config['execution.checkpointing.interval'], null);
    assert.equal(config['taskmanager.resource-id'], null);
    assert.equal(config['s3.path-style-access'], false);
    assert.equal(config['s3.checksum.request'], 'when-supported', 'integrity checksums on uploads by default (the SDK\'s default)');
    assert.equal(config['s3.checksum.response'], 'when-supported', 'downloads validated by default');
  });

  test('the configuration is frozen', () => {
    const config = loadConfiguration();
    assert.ok(Object.isFrozen(config));
  });

  test('an empty YAML file leaves the defaults', () => {
    const config = loadConfiguration({ file: yamlFile('') });
    assert.equal(config['heartbeat.timeout'], 5000);
  });

  test('a YAML file holding only comments leaves the defaults', () => {
    const config = loadConfiguration({ file: yamlFile('# nothing here\n') });
    assert.equal(config['rest.port'], 8081);
  });

  test('environment variables not starting with RIVULET_ are ignored', () => {
    const config = loadConfiguration({ env: { HOME: '/root', PATH: '/bin', HEARTBEAT_TIMEOUT: 'nonsense' } });
    assert.equal(config['heartbeat.timeout'], 5000);
  });

  test('flags with an undefined value are ignored', () => {
    const config = loadConfiguration({ flags: { 'rest.port': undefined } });
    assert.equal(config['rest.port'], 8081);
  });
});

describe('loadConfiguration: precedence flag > environment > file > default', () => {
  const env = { RIVULET_HEARTBEAT_TIMEOUT: '4 s' };
  const flags = { 'heartbeat.timeout': '6 s' };

  test('default when no source sets the key', () => {
    assert.equal(loadConfiguration({ env: {}, flags: {} })['heartbeat.timeout'], 5000);
  });

  test('the file overrides the default', () => {
    const file = yamlFile('heartbeat.timeout: 3 s\n');
    assert.equal(loadConfiguration({ file })['heartbeat.timeout'], 3000);
  });

  test('the environment overrides the file', () => {
    const file = yamlFile('heartbeat.timeout: 3 s\n');
    assert.equal(loadConfiguration({ file, env })['heartbeat.timeout'], 4000);
  });

  test('a flag overrides the environment and the file', () => {
    const file = yamlFile('heartbeat.timeout: 3 s\n');
    assert.equal(loadConfiguration({ file, env, flags })['heartbeat.timeout'], 6000);
  });

  test('a flag overrides the file without environment', () => {
    const file = yamlFile('heartbeat.timeout: 3 s\n');
    assert.equal(loadConfiguration({ file, flags })['heartbeat.timeout'], 6000);
  });

  test('precedence is per key: other keys keep their lower-precedence values', () => {
    const file = yamlFile('heartbeat.timeout: 3 s\nrest.port: 9000\n');
    const config = loadConfiguration({ file, env: { RIVULET_JOBMANAGER_RPC_PORT: '7000' }, flags: { 'log.level': 'debug' } });
    assert.equal(config['heartbeat.timeout'], 3000);
    assert.equal(config['rest.port'], 9000);
    assert.equal(config['jobmanager.rpc.port'], 7000);
    assert.equal(config['log.level'], 'debug');
  });

  test('flags may carry typed values (numbers, booleans)', () => {
    const config = loadConfiguration({ flags: { 'rest.port': 9100, 's3.path-style-access': true } });
    assert.equal(config['rest.port'], 9100);
    assert.equal(config['s3.path-style-access'], true);
  });
});

describe('loadConfiguration: YAML file', () => {
  test('flat keys', () => {
    const file = yamlFile(['heartbeat.timeout: 3 s', 'heartbeat.interval: 500 ms', 'taskmanager.numberOfTaskSlots: 4'].join('\n'));
    const config = loadConfiguration({ file });
    assert.equal(config['heartbeat.timeout'], 3000);
    assert.equal(config['heartbeat.interval'], 500);
    assert.equal(config['taskmanager.numberOfTaskSlots'], 4);
  });

  test('nested keys', () => {
    const file = yamlFile(['heartbeat:', '  timeout: 3 s', '  interval: 500 ms', 'jobmanager:', '  rpc:', '    port: 7123'].join('\n'));
    const config = loadConfiguration({ file });
    assert.equal(config['heartbeat.timeout'], 3000);
    assert.equal(config['heartbeat.interval'], 500);
    assert.equal(config['jobmanager.rpc.port'], 7123);
  });

  test('flat and nested keys mixed', () => {
    const file = yamlFile(['high-availability:', '  type: etcd', '  etcd.endpoints: [http://etcd:2379]', 'rest.port: 0'].join('\n'));
    const config = loadConfiguration({ file });
    assert.equal(config['high-availability.type'], 'etcd');
    assert.deepEqual(config['high-availability.etcd.endpoints'], ['http://etcd:2379']);
    assert.equal(config['rest.port'], 0);
  });

  test('a YAML list is a list value', () => {
    const file = yamlFile(
      ['high-availability.type: etcd', 'high-availability.etcd.endpoints:', '  - http://etcd-0:2379', '  - http://etcd-1:2379'].join('\n'),
    );
    const config = loadConfiguration({ file });
    assert.deepEqual(config['high-availability.etcd.endpoints'], ['http://etcd-0:2379', 'http://etcd-1:2379']);
  });

  test('a YAML null unsets an optional key', () => {
    const file = yamlFile('execution.checkpointing.interval: null\n');
    assert.equal(loadConfiguration({ file })['execution.checkpointing.interval'], null);
  });

  test('typed YAML scalars (numbers, booleans) are accepted', () => {
    const file = yamlFile('s3.path-style-access: true\nheartbeat.timeout: 7000\n');
    const config = loadConfiguration({ file });
    assert.equal(config['s3.path-style-access'], true);
    assert.equal(config['heartbeat.timeout'], 7000);
  });

  test('a missing file is an error naming the path', () => {
    const path = join(dir, 'does-not-exist.yaml');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, /no such file/);
    assert.equal(err.source, path);
    assert.equal(err.exitCode, 2);
  });

  test('invalid YAML is an error naming the path', () => {
    const path = yamlFile('heartbeat.timeout: [3 s\nrest.port: : :\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, /not valid YAML/);
    assert.ok(err.cause !== undefined, 'the YAML parser error is kept as the cause');
  });

  test('a top-level YAML list is an error naming the path', () => {
    const path = yamlFile('- heartbeat.timeout: 3 s\n- rest.port: 9000\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, /mapping/);
  });

  test('a top-level YAML scalar is an error naming the path', () => {
    const path = yamlFile('just a string\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, /mapping/);
  });
});

describe('loadConfiguration: unknown keys', () => {
  test('in the file: names the key, the file and a suggestion', () => {
    const path = yamlFile('heartbeat.timout: 3 s\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes('"heartbeat.timout"'), err.message);
    assert.ok(err.message.includes(path), err.message);
    assert.ok(err.message.includes('did you mean "heartbeat.timeout"?'), err.message);
    assert.equal(err.key, 'heartbeat.timout');
    assert.equal(err.source, `config file ${path}`);
  });

  test('in the file, nested: names the flattened key', () => {
    const path = yamlFile('heartbeat:\n  timout: 3 s\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.equal(err.key, 'heartbeat.timout');
    assert.ok(err.message.includes('did you mean "heartbeat.timeout"?'), err.message);
  });

  test('in the environment: names the variable, the source and a suggestion', () => {
    const err = configError(() => loadConfiguration({ env: { RIVULET_HEARTBEAT_TIMOUT: '3 s' } }));
    assert.ok(err.message.includes('RIVULET_HEARTBEAT_TIMOUT'), err.message);
    assert.match(err.message, /^environment: /);
    assert.ok(err.message.includes('did you mean RIVULET_HEARTBEAT_TIMEOUT?'), err.message);
    assert.equal(err.key, 'RIVULET_HEARTBEAT_TIMOUT');
    assert.equal(err.source, 'environment');
  });

  test('in the flags: names the key, the source and a suggestion', () => {
    const err = configError(() => loadConfiguration({ flags: { 'rest.prot': '9000' } }));
    assert.ok(err.message.includes('"rest.prot"'), err.message);
    assert.match(err.message, /^command line: /);
    assert.ok(err.message.includes('did you mean "rest.port"?'), err.message);
    assert.equal(err.key, 'rest.prot');
    assert.equal(err.source, 'command line');
  });
});

describe('loadConfiguration: bad values name the key and what was expected', () => {
  const cases: Array<{ key: ConfigKey; value: string; expected: RegExp }> = [
    { key: 'rest.port', value: 'abc', expected: /port number/ },
    { key: 'rest.port', value: '70000', expected: /0\.\.65535/ },
    { key: 'rest.port', value: '-1', expected: /0\.\.65535/ },
    { key: 'rest.port', value: '80.5', expected: /port number/ },
    { key: 'taskmanager.numberOfTaskSlots', value: '0', expected: /1\.\.1024/ },
    { key: 'heartbeat.timeout', value: 'abc', expected: /duration/ },
    { key: 'heartbeat.timeout', value: '5 fortnights', expected: /duration/ },
    { key: 'high-availability.type', value: 'zookeeper', expected: /one of "none", "etcd"/ },
    { key: 's3.path-style-access', value: 'yes', expected: /true or false/ },
    { key: 's3.checksum.request', value: 'WHEN_REQUIRED', expected: /one of "when-supported", "when-required"/ },
    { key: 's3.checksum.response', value: 'off', expected: /one of "when-supported", "when-required"/ },
    { key: 'jobmanager.rpc.address', value: '   ', expected: /non-empty string/ },
  ];

  for (const { key, value, expected } of cases) {
    test(`${key} = ${JSON.stringify(value)} from a flag`, () => {
      const err = configError(() => loadConfiguration({ flags: { [key]: value } }));
      assert.ok(err.message.includes(`"${key}"`), err.message);
      assert.match(err.message, expected);
      assert.match(err.message, /^command line: bad value/);
      assert.equal(err.key, key);
      assert.equal(err.exitCode, 2);
    });
  }

  test('a bad value from the environment names the variable as the source', () => {
    const err = configError(() => loadConfiguration({ env: { RIVULET_REST_PORT: 'abc' } }));
    assert.ok(err.message.includes('"rest.port"'), err.message);
    assert.ok(err.message.includes('RIVULET_REST_PORT'), err.message);
    assert.ok(err.message.includes('"abc"'), 'the bad value is shown');
    assert.equal(err.source, 'environment RIVULET_REST_PORT');
  });

  test('a bad value from the file names the file as the source', () => {
    const path = yamlFile('rest.port: 70000\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.ok(err.message.includes('"rest.port"'), err.message);
    assert.ok(err.message.includes(path), err.message);
    assert.ok(err.message.includes('70000'), err.message);
  });

  test('a YAML "yes" is not a boolean', () => {
    const path = yamlFile('s3.path-style-access: yes\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.equal(err.key, 's3.path-style-access');
    assert.match(err.message, /true or false/);
  });

  test('a YAML mapping where a scalar is expected is a bad value', () => {
    const path = yamlFile('rest.port:\n  value: 1\n');
    const err = configError(() => loadConfiguration({ file: path }));
    assert.equal(err.key, 'rest.port');
  });

  test('a bad value in a lower-precedence source is ignored when a higher one sets the key', () => {
    const config = loadConfiguration({ env: { RIVULET_REST_PORT: 'abc' }, flags: { 'rest.port': '9000' } });
    assert.equal(config['rest.port'], 9000);
  });
});

describe('loadConfiguration: value parsing', () => {
  test('integers from strings are trimmed', () => {
    assert.equal(loadConfiguration({ env: { RIVULET_REST_PORT: ' 9000 ' } })['rest.port'], 9000);
  });

  test('port 0 (any free port) is accepted', () => {
    assert.equal(loadConfiguration({ flags: { 'taskmanager.data.port': '0' } })['taskmanager.data.port'], 0);
  });

  test('booleans accept true/false in several cases', () => {
    assert.equal(loadConfiguration({ env: { RIVULET_S3_PATH_STYLE_ACCESS: 'TRUE' } })['s3.path-style-access'], true);
    assert.equal(loadConfiguration({ env: { RIVULET_S3_PATH_STYLE_ACCESS: 'False' } })['s3.path-style-access'], false);
  });

  test('a list from a comma-separated environment string, trimmed, empty parts dropped', () => {
    const config = loadConfiguration({
      env: {
        RIVULET_HIGH_AVAILABILITY_TYPE: 'etcd',
        RIVULET_HIGH_AVAILABILITY_ETCD_ENDPOINTS: 'http://etcd-0:2379, http://etcd-1:2379,,',
      },
    });
    assert.deepEqual(config['high-availability.etcd.endpoints'], ['http://etcd-0:2379', 'http://etcd-1:2379']);
  });

  test('an optional key is unset by an empty string', () => {
    const file = yamlFile('execution.checkpointing.interval: 10 s\ntaskmanager.resource-id: tm-1\n');
    assert.equal(loadConfiguration({ file })['execution.checkpointing.interval'], 10_000);
    assert.equal(loadConfiguration({ file })['taskmanager.resource-id'], 'tm-1');
    const config = loadConfiguration({
      file,
      env: { RIVULET_EXECUTION_CHECKPOINTING_INTERVAL: '' },
      flags: { 'taskmanager.resource-id': '' },
    });
    assert.equal(config['execution.checkpointing.interval'], null);
    assert.equal(config['taskmanager.resource-id'], null);
  });

  test('an empty string does not unset a required key', () => {
    const err = configError(() => loadConfiguration({ env: { RIVULET_REST_ADDRESS: '' } }));
    assert.equal(err.key, 'rest.address');
  });

  test('an optional enum accepts its values', () => {
    assert.equal(loadConfiguration({ flags: { 'restart-strategy.type': 'fixed-delay' } })['restart-strategy.type'], 'fixed-delay');
    const err = configError(() => loadConfiguration({ flags: { 'restart-strategy.type': 'sometimes' } }));
    assert.equal(err.key, 'restart-strategy.type');
  });
});

describe('loadConfiguration: consistency checks', () => {
  test('heartbeat.interval equal to heartbeat.timeout is refused', () => {
    const err = configError(() => loadConfiguration({ flags: { 'heartbeat.interval': '5 s', 'heartbeat.timeout': '5 s' } }));
    assert.equal(err.key, 'heartbeat.interval');
    assert.ok(err.message.includes('"heartbeat.interval"') && err.message.includes('"heartbeat.timeout"'), err.message);
  });

  test('heartbeat.interval above heartbeat.timeout is refused', () => {
    const err = configError(() => loadConfiguration({ env: { RIVULET_HEARTBEAT_INTERVAL: '10 s' } }));
    assert.equal(err.key, 'heartbeat.interval');
    assert.match(err.message, /10000 ms/);
  });

  test('heartbeat.interval of 0 is refused', () => {
    const err = configError(() => loadConfiguration({ flags: { 'heartbeat.interval': '0' } }));
    assert.equal(err.key, 'heartbeat.interval');
  });

  test('heartbeat.interval just below heartbeat.timeout is accepted', () => {
    const config = loadConfiguration({ flags: { 'heartbeat.interval': '4999', 'heartbeat.timeout': '5 s' } });
    assert.equal(config['heartbeat.interval'], 4999);
  });

  test('high-availability.type etcd without endpoints is refused', () => {
    const err = configError(() => loadConfiguration({ flags: { 'high-availability.type': 'etcd' } }));
    assert.equal(err.key, 'high-availability.etcd.endpoints');
    assert.match(err.message, /etcd/);
  });

  test('high-availability.type etcd with an empty endpoint list is refused', () => {
    const err = configError(() =>
      loadConfiguration({ env: { RIVULET_HIGH_AVAILABILITY_TYPE: 'etcd', RIVULET_HIGH_AVAILABILITY_ETCD_ENDPOINTS: ' , ' } }),
    );
    assert.equal(err.key, 'high-availability.etcd.endpoints');
  });

  test('cluster.registration initial-timeout above max-timeout is refused', () => {
    const err = configError(() =>
      loadConfiguration({ flags: { 'cluster.registration.initial-timeout': '5 s', 'cluster.registration.max-timeout': '1 s' } }),
    );
    assert.equal(err.key, 'cluster.registration.initial-timeout');
    assert.ok(err.message.includes('"cluster.registration.max-timeout"'), err.message);
  });

  test('cluster.registration initial-timeout equal to max-timeout is accepted', () => {
    const config = loadConfiguration({
      flags: { 'cluster.registration.initial-timeout': '1 s', 'cluster.registration.max-timeout': '1 s' },
    });
    assert.equal(config['cluster.registration.initial-timeout'], 1000);
  });
});

describe('ConfigurationError', () => {
  test('exitCode is 2 and code is CONFIG_INVALID', () => {
    const err = new ConfigurationError('boom', { key: 'rest.port', source: 'command line' });
    assert.equal(err.exitCode, 2);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.name, 'ConfigurationError');
    assert.equal(err.key, 'rest.port');
    assert.equal(err.source, 'command line');
    assert.ok(err instanceof Error);
  });

  test('errors thrown by loadConfiguration have exitCode 2', () => {
    const err = configError(() => loadConfiguration({ flags: { 'rest.port': 'abc' } }));
    assert.equal(err.exitCode, 2);
  });
});

describe('environmentVariableOf', () => {
  test('upper-cases the key and replaces every non-alphanumeric character with _', () => {
    assert.equal(environmentVariableOf('heartbeat.timeout'), 'RIVULET_HEARTBEAT_TIMEOUT');
    assert.equal(environmentVariableOf('high-availability.etcd.lease-ttl'), 'RIVULET_HIGH_AVAILABILITY_ETCD_LEASE_TTL');
    assert.equal(environmentVariableOf('taskmanager.numberOfTaskSlots'), 'RIVULET_TASKMANAGER_NUMBEROFTASKSLOTS');
    assert.equal(environmentVariableOf('s3.path-style-access'), 'RIVULET_S3_PATH_STYLE_ACCESS');
  });

  test('every key has a distinct, well-formed variable that loadConfiguration reads', () => {
    const variables = CONFIG_KEYS.map(environmentVariableOf);
    assert.equal(new Set(variables).size, variables.length, 'two keys map to the same variable');
    for (const variable of variables) assert.match(variable, /^RIVULET_[A-Z0-9_]+$/);
  });

  test('the variable of each key sets that key', () => {
    const config = loadConfiguration({ env: { [environmentVariableOf('taskmanager.numberOfTaskSlots')]: '8' } });
    assert.equal(config['taskmanager.numberOfTaskSlots'], 8);
  });
});

describe('CONFIG_OPTIONS', () => {
  test('every default passes its own type', () => {
    for (const key of CONFIG_KEYS) {
      const option = CONFIG_OPTIONS[key];
      assert.deepEqual((option.type.parse as (raw: unknown) => unknown)(option.default), option.default, key);
    }
  });

  test('every option has a description', () => {
    for (const key of CONFIG_KEYS) assert.ok(CONFIG_OPTIONS[key].description.trim().length > 0, key);
  });
});

describe('parseKeyValuePairs', () => {
  test('splits at the first =, trims the key, keeps the value', () => {
    assert.deepEqual(parseKeyValuePairs(['rest.port=9000', ' log.level =debug', 's3.endpoint=http://m:9000/?a=b']), {
      'rest.port': '9000',
      'log.level': 'debug',
      's3.endpoint': 'http://m:9000/?a=b',
    });
  });

  test('an empty value is kept (it unsets optional keys)', () => {
    assert.deepEqual(parseKeyValuePairs(['taskmanager.resource-id=']), { 'taskmanager.resource-id': '' });
  });

  test('the later of two pairs for the same key wins', () => {
    assert.deepEqual(parseKeyValuePairs(['rest.port=1', 'rest.port=2']), { 'rest.port': '2' });
  });

  test('no pairs gives an empty object', () => {
    assert.deepEqual(parseKeyValuePairs([]), {});
  });

  for (const bad of ['rest.port', '=9000', '']) {
    test(`${JSON.stringify(bad)} is refused with exit code 2`, () => {
      const err = configError(() => parseKeyValuePairs([bad]));
      assert.match(err.message, /expected key=value/);
      assert.ok(err.message.includes(`"${bad}"`), err.message);
      assert.equal(err.exitCode, 2);
    });
  }

  test('its output feeds loadConfiguration as flags', () => {
    const config = loadConfiguration({ flags: parseKeyValuePairs(['rest.port=9000', 'heartbeat.timeout=8 s']) });
    assert.equal(config['rest.port'], 9000);
    assert.equal(config['heartbeat.timeout'], 8000);
  });
});
