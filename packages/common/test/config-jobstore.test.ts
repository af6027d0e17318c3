import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, loadConfiguration } from '../src/index.js';

function refusal(flags: Record<string, unknown>): string {
  try {
    loadConfiguration({ flags });
  } catch (err) {
    assert.ok(err instanceof ConfigurationError, String(err));
    return err.message;
  }
  return assert.fail('expected a ConfigurationError');
}

const expiration = (raw: unknown): number => loadConfiguration({ flags: { 'jobstore.expiration-time': raw } })['jobstore.expiration-time'];

describe('jobstore.* keys', () => {
  test('defaults: 100 ended jobs, for 1 hour (in seconds, as Flink)', () => {
    const config = loadConfiguration();
    assert.equal(config['jobstore.max-capacity'], 100);
    assert.equal(config['jobstore.expiration-time'], 3600);
  });

  test('a plain number is seconds, as in Flink; a unit is converted', () => {
    assert.equal(expiration(3600), 3600, 'a YAML number copied from a Flink configuration');
    assert.equal(expiration('3600'), 3600);
    assert.equal(expiration('1 h'), 3600);
    assert.equal(expiration('1500 ms'), 1.5);
    assert.equal(loadConfiguration({ env: { RIVULET_JOBSTORE_EXPIRATION_TIME: '2s' } })['jobstore.expiration-time'], 2);
    assert.equal(loadConfiguration({ env: { RIVULET_JOBSTORE_MAX_CAPACITY: '3' } })['jobstore.max-capacity'], 3);
  });

  test('below 1 s, a wrong unit and a capacity below 1 are refused, naming the key and what was expected', () => {
    const expected = 'expected a duration such as "1 h" or "30 min", or a number of seconds, at least 1 s';
    assert.equal(refusal({ 'jobstore.expiration-time': '500 ms' }), `command line: bad value for "jobstore.expiration-time": ${expected}, got "500 ms"`);
    assert.equal(refusal({ 'jobstore.expiration-time': 0 }), `command line: bad value for "jobstore.expiration-time": ${expected}, got 0`);
    assert.match(refusal({ 'jobstore.expiration-time': '1 fortnight' }), /"jobstore.expiration-time": expected a duration such as "5 s" or "500ms", got "1 fortnight"$/);
    assert.match(refusal({ 'jobstore.max-capacity': '0' }), /"jobstore.max-capacity": expected an integer in 1..2147483647, got "0"$/);
  });
});
