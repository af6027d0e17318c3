import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_KEYS,
  ConfigurationError,
  environmentVariableOf,
  isConfigKey,
  loadConfiguration,
  type ConfigKey,
} from '../src/index.js';

/**
 * Keeps docs/configuration.md in step with CONFIG_OPTIONS: every key is
 * documented, and the doc names no key that does not exist.
 * This file compiles to packages/common/dist/test/, four levels below the root.
 */
const REPO_ROOT = new URL('../../../../', import.meta.url);
const DOC_URL = new URL('docs/configuration.md', REPO_ROOT);

/** Looks like a configuration key: dotted, lower-case first segment. */
const KEY_LIKE = /^[a-z][a-zA-Z0-9-]*(?:\.[a-zA-Z0-9-]+)+$/;

interface KeyRow {
  readonly line: number;
  readonly cells: readonly string[];
}

let doc: string;

before(() => {
  doc = readFileSync(DOC_URL, 'utf8');
});

/** Splits a Markdown table row into trimmed cells, honouring `\|` escapes. */
function cellsOf(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function unquote(cell: string): string {
  return cell.replace(/^`(.*)`$/, '$1');
}

/** The rows of the table whose header starts with `| Key |`. */
function keyTableRows(): { header: string[]; rows: KeyRow[] } {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => /^\|\s*Key\s*\|/.test(line));
  assert.ok(start >= 0, 'docs/configuration.md has a table whose header starts with "| Key |"');
  const header = cellsOf(lines[start] ?? '');
  const rows: KeyRow[] = [];
  for (let i = start + 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (!line.trim().startsWith('|')) break;
    if (/^\|[\s|:-]+\|?\s*$/.test(line)) continue; // separator row
    rows.push({ line: i + 1, cells: cellsOf(line) });
  }
  return { header, rows };
}

describe('docs/configuration.md', () => {
  test('the key table has the key, default, environment variable and description columns', () => {
    const { header } = keyTableRows();
    assert.equal(header[0], 'Key');
    assert.ok(header.includes('Default'), header.join(' | '));
    assert.ok(header.includes('Environment variable'), header.join(' | '));
    assert.ok(header.includes('Description'), header.join(' | '));
  });

  test('every key of CONFIG_OPTIONS appears in the doc', () => {
    const missing = CONFIG_KEYS.filter((key) => !doc.includes(`\`${key}\``));
    assert.deepEqual(missing, [], `keys missing from docs/configuration.md: ${missing.join(', ')}`);
  });

  test('every key of CONFIG_OPTIONS has exactly one row in the key table', () => {
    const { rows } = keyTableRows();
    const documented = rows.map((row) => unquote(row.cells[0] ?? ''));
    for (const key of CONFIG_KEYS) {
      const count = documented.filter((entry) => entry === key).length;
      assert.equal(count, 1, `"${key}" has ${count} rows in the key table`);
    }
  });

  test('every entry of the key table is a real key (no removed or misspelt keys)', () => {
    const { rows } = keyTableRows();
    assert.ok(rows.length > 0, 'the key table has rows');
    for (const row of rows) {
      const entry = unquote(row.cells[0] ?? '');
      assert.ok(isConfigKey(entry), `docs/configuration.md:${row.line}: "${entry}" is not a configuration key`);
    }
    assert.equal(rows.length, CONFIG_KEYS.length);
  });

  test('every key-looking name in backticks anywhere in the doc is a real key', () => {
    const unknown: string[] = [];
    for (const match of doc.matchAll(/`([^`\n]+)`/g)) {
      const token = match[1] ?? '';
      if (KEY_LIKE.test(token) && !isConfigKey(token)) unknown.push(token);
    }
    assert.deepEqual(unknown, [], `names in docs/configuration.md that are not configuration keys: ${unknown.join(', ')}`);
  });

  test('the environment variable column matches environmentVariableOf', () => {
    const { header, rows } = keyTableRows();
    const column = header.indexOf('Environment variable');
    for (const row of rows) {
      const key = unquote(row.cells[0] ?? '');
      if (!isConfigKey(key)) continue; // reported by the test above
      assert.equal(unquote(row.cells[column] ?? ''), environmentVariableOf(key as ConfigKey), `row of ${key}`);
    }
  });

  test('every row has a non-empty default and description', () => {
    const { header, rows } = keyTableRows();
    const defaultColumn = header.indexOf('Default');
    const descriptionColumn = header.indexOf('Description');
    for (const row of rows) {
      assert.ok((row.cells[defaultColumn] ?? '').length > 0, `docs/configuration.md:${row.line}: empty default`);
      assert.ok((row.cells[descriptionColumn] ?? '').length > 0, `docs/configuration.md:${row.line}: empty description`);
    }
  });

  test('the doc explains precedence, environment variables, exit code 2 and port 0', () => {
    assert.match(doc, /flag > environment > file > default/);
    assert.match(doc, /RIVULET_HEARTBEAT_TIMEOUT/);
    assert.match(doc, /--config/);
    assert.match(doc, /-D key=value/);
    assert.match(doc, /exit code 2/i);
    assert.match(doc, /0 means any free port/);
  });

  describe('examples in the doc are true', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'rivulet-config-docs-test-'));
    });
    after(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    test('the YAML example loads', () => {
      const block = /```yaml\n([\s\S]*?)```/.exec(doc);
      assert.ok(block?.[1], 'the doc has a ```yaml example');
      const file = join(dir, 'example.yaml');
      writeFileSync(file, block[1], 'utf8');
      const config = loadConfiguration({ file });
      assert.equal(config['heartbeat.timeout'], 3000);
      assert.equal(config['high-availability.type'], 'etcd');
    });

    test('the example error message is the one loadConfiguration gives', () => {
      try {
        loadConfiguration({ env: { RIVULET_REST_PORT: 'abc' } });
        assert.fail('expected a ConfigurationError');
      } catch (err) {
        assert.ok(err instanceof ConfigurationError);
        assert.ok(doc.includes(err.message), `the doc should quote: ${err.message}`);
      }
    });

    test('the environment variable examples are what environmentVariableOf gives', () => {
      const examples = [...doc.matchAll(/`([a-z][a-zA-Z0-9.-]+)` is `(RIVULET_[A-Z0-9_]+)`/g)];
      assert.ok(examples.length >= 1, 'the doc gives at least one example of a key and its variable');
      for (const [, key, variable] of examples) {
        assert.ok(key !== undefined && isConfigKey(key), `${key} is a key`);
        assert.equal(environmentVariableOf(key), variable);
      }
    });
  });
});
