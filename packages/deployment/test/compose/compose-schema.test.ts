import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DCLinter } from 'dclint';
import { REPO_ROOT } from '@rivulet/testing';
import { parseComposeText, readComposeFile } from '../../src/compose/compose-file.js';
import { composeSchemaPath, validateComposeDocument } from '../../src/compose/compose-schema.js';

const COMPOSE_PATH = join(REPO_ROOT, 'docker-compose.yml');
const COMPOSE_TEXT = readFileSync(COMPOSE_PATH, 'utf8');

describe('docker-compose.yml against the Compose Specification', () => {
  it('uses the Compose Specification schema shipped by an npm package', () => {
    const schema = JSON.parse(readFileSync(composeSchemaPath(), 'utf8')) as { title: string; $id: string };
    assert.equal(schema.title, 'Compose Specification');
    assert.equal(schema.$id, 'compose_spec.json');
  });

  it('parses (merge keys, interpolation with defaults) and validates against the schema', () => {
    const file = readComposeFile(COMPOSE_PATH, {});
    assert.deepEqual(file.unsetVariables, [], 'every ${VAR} has a default');
    assert.deepEqual(validateComposeDocument(file.document), []);
  });

  it('rejects a misspelt service key, a wrong depends_on condition and a bad healthcheck', () => {
    const broken = COMPOSE_TEXT.replace('    working_dir: /\n', '    workdir: /\n')
      .replace('condition: service_completed_successfully', 'condition: service_completed')
      .replace('    healthcheck:\n      test: ["CMD", "mc", "ready", "local"]', '    healthcheck:\n      tset: ["CMD", "mc", "ready", "local"]');
    assert.notEqual(broken, COMPOSE_TEXT);
    const errors = validateComposeDocument(parseComposeText(broken, 'broken.yml').document);
    assert.ok(errors.includes('/services/cli: must NOT have additional properties "workdir"'), errors.join('\n'));
    assert.ok(errors.some((e) => e.startsWith('/services/jobmanager-1/depends_on/minio-init/condition: must be equal to one of the allowed values')), errors.join('\n'));
    assert.ok(errors.includes('/services/minio/healthcheck: must NOT have additional properties "tset"'), errors.join('\n'));
  });

  it('refuses a service list instead of a mapping', () => {
    const errors = validateComposeDocument({ services: ['etcd'] });
    assert.ok(errors.includes('/services: must be object'), errors.join('\n'));
  });

  it('passes dclint\'s rules for pinned images, published ports and project name', () => {
    const linter = new DCLinter({
      quiet: false,
      debug: false,
      exclude: [],
      rules: {
        // Style rules (key and service order) are left out; every rivulet
        // service both builds and names its image on purpose.
        'no-build-and-image': 0,
        'service-keys-order': 0,
        'services-alphabetical-order': 0,
        'service-dependencies-alphabetical-order': 0,
        'service-ports-alphabetical-order': 0,
        'top-level-properties-order': 0,
        'service-image-require-explicit-tag': 2,
        'no-duplicate-exported-ports': 2,
        'no-unbound-port-interfaces': 2,
        'no-duplicate-container-names': 2,
        'no-quotes-in-volumes': 2,
        'no-version-field': 2,
        'require-project-name-field': 2,
        'require-quotes-in-ports': [2, { quoteType: 'double' }],
        'service-container-name-regex': 2,
      },
    });
    const [result] = linter.lintFiles([COMPOSE_PATH], false);
    const messages: Array<{ rule: string; message: string; line: number }> = result?.messages ?? [];
    assert.deepEqual(messages.map((m) => `${m.rule}: ${m.message} (line ${m.line})`), []);
  });
});
