import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import { BearerToken, ConfigurationError } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-token-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'abcdef0123456789abcdef';
const none = { 'security.auth.token': null, 'security.auth.token-file': null };

describe('BearerToken: the client credential', () => {
  test('from the key, from a file (newline ignored), or none', () => {
    assert.equal(BearerToken.fromConfig(none), undefined);
    assert.ok(BearerToken.fromConfig({ ...none, 'security.auth.token': SECRET })!.matches(`Bearer ${SECRET}`));
    const file = join(dir, 'token');
    writeFileSync(file, `${SECRET}\n`);
    assert.ok(BearerToken.fromConfig({ ...none, 'security.auth.token-file': file })!.matches(`bearer ${SECRET}`));
  });

  test('both keys, a missing file, a short token or one with spaces: errors that never show the token', () => {
    const cases: Array<[Parameters<typeof BearerToken.fromConfig>[0], RegExp]> = [
      [{ 'security.auth.token': SECRET, 'security.auth.token-file': '/x' }, /either "security.auth.token" or "security.auth.token-file", not both/],
      [{ ...none, 'security.auth.token-file': join(dir, 'missing') }, /cannot read .*missing: no such file/],
      [{ ...none, 'security.auth.token': 'short-secret' }, /at least 16 characters \(it has 12\)/],
      [{ ...none, 'security.auth.token': 'has a space inside it' }, /printable ASCII characters only, without spaces/],
    ];
    for (const [config, pattern] of cases) {
      assert.throws(() => BearerToken.fromConfig(config), (err: unknown) => {
        assert.ok(err instanceof ConfigurationError);
        assert.match(err.message, pattern);
        for (const secret of [SECRET, 'short-secret', 'has a space inside it']) assert.ok(!err.message.includes(secret));
        return true;
      });
    }
  });

  test('only the exact token in a Bearer header matches', () => {
    const token = BearerToken.of(SECRET);
    assert.ok(token.matches(`Bearer ${SECRET}`));
    for (const wrong of [undefined, '', SECRET, `Basic ${SECRET}`, `Bearer ${SECRET}x`, `Bearer ${SECRET.slice(1)}`, 'Bearer ']) {
      assert.equal(token.matches(wrong), false, String(wrong));
    }
  });

  test('printing, JSON and inspection show [redacted]', () => {
    const token = BearerToken.of(SECRET);
    const shown = [String(token), `${token}`, JSON.stringify({ token }), inspect(token), inspect({ token }, { depth: 5 })];
    for (const text of shown) {
      assert.ok(!text.includes(SECRET), text);
      assert.match(text, /redacted/);
    }
    assert.equal(token.header(), `Bearer ${SECRET}`);
  });
});
