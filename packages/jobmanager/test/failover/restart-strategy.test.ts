import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, IllegalStateError, loadConfiguration } from '@rivulet/common';
import { createRestartStrategy, type RestartStrategy } from '../../src/failover/index.js';

/** A configuration as the JobManager loads it, with `flags` on top of the defaults. */
function configWith(flags: Record<string, unknown> = {}) {
  return loadConfiguration({ flags });
}

/** Notifies one failure at `now` and returns what the strategy decided. */
function fail(strategy: RestartStrategy, now: number): { restart: boolean; backoff: number | null; refusal: string } {
  strategy.notifyFailure(now);
  const restart = strategy.canRestart();
  return { restart, backoff: restart ? strategy.getBackoffTime() : null, refusal: strategy.refusal() };
}

/**
 * Fails an exponential-delay strategy `count` times, each failure 1 ms after
 * the previous restart (so none is merged and none resets), and returns the
 * waits.
 */
function backoffSequence(strategy: RestartStrategy, count: number, start = 0): number[] {
  const waits: number[] = [];
  let now = start;
  for (let i = 0; i < count; i++) {
    const { restart, backoff } = fail(strategy, now);
    assert.ok(restart, `failure ${i + 1} should restart`);
    waits.push(backoff!);
    now += backoff! + 1;
  }
  return waits;
}

describe('restart strategy selection', () => {
  test('the defaults match Flink: unset type is none without checkpointing', () => {
    const config = configWith();
    assert.equal(config['restart-strategy.type'], null);
    assert.equal(config['restart-strategy.fixed-delay.attempts'], 1);
    assert.equal(config['restart-strategy.fixed-delay.delay'], 1000);
    assert.equal(config['restart-strategy.failure-rate.max-failures-per-interval'], 1);
    assert.equal(config['restart-strategy.failure-rate.failure-rate-interval'], 60_000);
    assert.equal(config['restart-strategy.failure-rate.delay'], 1000);
    assert.equal(config['restart-strategy.exponential-delay.initial-backoff'], 1000);
    assert.equal(config['restart-strategy.exponential-delay.max-backoff'], 60_000);
    assert.equal(config['restart-strategy.exponential-delay.backoff-multiplier'], 1.5);
    assert.equal(config['restart-strategy.exponential-delay.reset-backoff-threshold'], 3_600_000);
    assert.equal(config['restart-strategy.exponential-delay.jitter-factor'], 0.1);
    assert.equal(config['restart-strategy.exponential-delay.attempts-before-reset-backoff'], null);

    const strategy = createRestartStrategy(config, false);
    assert.equal(strategy.description, 'none');
    const { restart, refusal } = fail(strategy, 0);
    assert.equal(restart, false);
    assert.match(refusal, /^none: .*checkpointing is disabled/);
  });

  test('unset type with checkpointing is exponential-delay with its default values', () => {
    const strategy = createRestartStrategy(configWith(), true, () => 0.5);
    assert.equal(
      strategy.description,
      'exponential-delay (initial backoff 1 s, max backoff 1 min, multiplier 1.5, reset after 1 h, jitter 0.1, unbounded attempts)',
    );
    assert.deepEqual(backoffSequence(strategy, 3), [1000, 1500, 2250]);
  });

  test('unset type ignores the exponential-delay keys, as Flink does', () => {
    const flags = {
      'restart-strategy.exponential-delay.initial-backoff': '5 s',
      'restart-strategy.exponential-delay.max-backoff': '10 min',
    };
    const strategy = createRestartStrategy(configWith(flags), true, () => 0.5);
    assert.match(strategy.description, /initial backoff 1 s, max backoff 1 min/);
    const explicit = createRestartStrategy(configWith({ ...flags, 'restart-strategy.type': 'exponential-delay' }), true, () => 0.5);
    assert.match(explicit.description, /initial backoff 5 s, max backoff 10 min/);
    assert.deepEqual(backoffSequence(explicit, 2), [5000, 7500]);
  });

  test('type none never restarts, even with checkpointing', () => {
    const strategy = createRestartStrategy(configWith({ 'restart-strategy.type': 'none' }), true);
    const { restart, refusal } = fail(strategy, 0);
    assert.equal(restart, false);
    assert.equal(refusal, 'none: restarts are disabled (restart-strategy.type is none)');
  });

  test('an initial backoff above the max backoff is a configuration error naming the key', () => {
    const config = configWith({
      'restart-strategy.type': 'exponential-delay',
      'restart-strategy.exponential-delay.initial-backoff': '2 min',
    });
    assert.throws(
      () => createRestartStrategy(config, true),
      (err: unknown) => err instanceof ConfigurationError && err.key === 'restart-strategy.exponential-delay.initial-backoff',
    );
  });
});

describe('fixed-delay', () => {
  test('attempts 2 restarts twice after the delay and gives up at the 3rd failure', () => {
    const strategy = createRestartStrategy(
      configWith({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 2 }),
      false,
    );
    assert.equal(strategy.description, 'fixed-delay (2 attempts, delay 1 s)');
    assert.deepEqual(fail(strategy, 0), { restart: true, backoff: 1000, refusal: '' });
    assert.deepEqual(fail(strategy, 10_000_000), { restart: true, backoff: 1000, refusal: '' });
    const third = fail(strategy, 20_000_000);
    assert.equal(third.restart, false);
    assert.equal(third.refusal, 'fixed-delay: all 2 restart attempts used');
  });

  test('the default allows one restart; attempts 0 allows none', () => {
    const once = createRestartStrategy(configWith({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': '10 s' }), false);
    assert.equal(once.description, 'fixed-delay (1 attempt, delay 10 s)');
    assert.deepEqual(fail(once, 0), { restart: true, backoff: 10_000, refusal: '' });
    assert.deepEqual(fail(once, 1), { restart: false, backoff: null, refusal: 'fixed-delay: all 1 restart attempt used' });

    const never = createRestartStrategy(configWith({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 0 }), false);
    const first = fail(never, 0);
    assert.equal(first.restart, false);
    assert.match(first.refusal, /no restart attempts allowed/);
  });
});

describe('failure-rate', () => {
  const failureRate = (flags: Record<string, unknown> = {}): RestartStrategy =>
    createRestartStrategy(configWith({ 'restart-strategy.type': 'failure-rate', ...flags }), false);

  test('failures spaced more than the interval apart restart forever', () => {
    const strategy = failureRate();
    assert.equal(strategy.description, 'failure-rate (1 failure per 1 min, delay 1 s)');
    for (let i = 0; i < 1000; i++) {
      assert.deepEqual(fail(strategy, i * 60_001), { restart: true, backoff: 1000, refusal: '' }, `failure ${i + 1}`);
    }
  });

  test('one failure more than allowed within one interval fails the job', () => {
    const strategy = failureRate();
    assert.equal(fail(strategy, 0).restart, true);
    const second = fail(strategy, 60_000); // exactly one interval later still counts as within it
    assert.equal(second.restart, false);
    assert.equal(second.refusal, 'failure-rate: 2 failures within 1 min (at most 1 allowed per interval)');
  });

  test('the window slides: only the last max-failures + 1 failures count', () => {
    const strategy = failureRate({
      'restart-strategy.failure-rate.max-failures-per-interval': 3,
      'restart-strategy.failure-rate.failure-rate-interval': '10 s',
      'restart-strategy.failure-rate.delay': '250 ms',
    });
    for (const now of [0, 1000, 2000]) assert.deepEqual(fail(strategy, now), { restart: true, backoff: 250, refusal: '' });
    // 4 failures in 10_001 ms: the window [0, 10_001] is longer than the interval.
    assert.equal(fail(strategy, 10_001).restart, true);
    // 1000, 2000, 10_001, 10_500: 4 failures within 9_500 ms.
    const refused = fail(strategy, 10_500);
    assert.equal(refused.restart, false);
    assert.equal(refused.refusal, 'failure-rate: 4 failures within 10 s (at most 3 allowed per interval)');
  });
});

describe('exponential-delay', () => {
  const exponential = (flags: Record<string, unknown> = {}, random?: () => number): RestartStrategy =>
    createRestartStrategy(configWith({ 'restart-strategy.type': 'exponential-delay', ...flags }), false, random);

  test('without jitter the wait grows by the multiplier up to max-backoff', () => {
    const strategy = exponential({ 'restart-strategy.exponential-delay.jitter-factor': 0 });
    assert.deepEqual(
      backoffSequence(strategy, 14),
      [1000, 1500, 2250, 3375, 5062, 7593, 11390, 17085, 25628, 38443, 57665, 60_000, 60_000, 60_000],
    );
  });

  test('jitter spreads the wait by ±jitter-factor; random 0 and 1 give the extremes', () => {
    const withRandom = (r: number): number[] => backoffSequence(exponential({}, () => r), 11);
    const low = withRandom(0);
    const high = withRandom(1);
    const middle = withRandom(0.5);
    assert.deepEqual(middle, [1000, 1500, 2250, 3375, 5062, 7593, 11390, 17085, 25628, 38443, 57665]);
    // 1st: 1000 ± 100, but never below initial-backoff.
    assert.equal(low[0], 1000);
    assert.equal(high[0], 1100);
    // 3rd: 2250 ± 225.
    assert.equal(low[2], 2025);
    assert.equal(high[2], 2475);
    // 11th: 57665 ± 5766, but never above max-backoff.
    assert.equal(low[10], 51899);
    assert.equal(high[10], 60_000);
    for (const [i, base] of middle.entries()) {
      assert.ok(low[i]! <= base && base <= high[i]!, `wait ${i + 1} within its bounds`);
      assert.ok(high[i]! - base <= Math.floor(base * 0.1) && base - low[i]! <= Math.floor(base * 0.1));
    }
  });

  test('a failure reset-backoff-threshold after the last restart starts again at initial-backoff', () => {
    const threshold = 3_600_000;
    const reset = exponential({ 'restart-strategy.exponential-delay.jitter-factor': 0 });
    assert.deepEqual(backoffSequence(reset, 3), [1000, 1500, 2250]); // last restart at 1001 + 1501 + 2250
    const lastRestart = 1001 + 1501 + 2250;
    assert.deepEqual(fail(reset, lastRestart + threshold), { restart: true, backoff: 1000, refusal: '' });

    const noReset = exponential({ 'restart-strategy.exponential-delay.jitter-factor': 0 });
    backoffSequence(noReset, 3);
    assert.deepEqual(fail(noReset, lastRestart + threshold - 1), { restart: true, backoff: 3375, refusal: '' });
  });

  test('a failure before the pending restart joins it and counts no attempt', () => {
    const strategy = exponential({ 'restart-strategy.exponential-delay.jitter-factor': 0 });
    assert.deepEqual(fail(strategy, 0), { restart: true, backoff: 1000, refusal: '' });
    assert.deepEqual(fail(strategy, 400), { restart: true, backoff: 600, refusal: '' });
    assert.deepEqual(fail(strategy, 1000), { restart: true, backoff: 0, refusal: '' });
    assert.deepEqual(fail(strategy, 1001), { restart: true, backoff: 1500, refusal: '' });
  });

  test('attempts-before-reset-backoff bounds the restarts between two resets', () => {
    const strategy = exponential({
      'restart-strategy.exponential-delay.jitter-factor': 0,
      'restart-strategy.exponential-delay.attempts-before-reset-backoff': 2,
      'restart-strategy.exponential-delay.reset-backoff-threshold': '10 min',
    });
    assert.match(strategy.description, /, 2 attempts before reset\)$/);
    assert.deepEqual(backoffSequence(strategy, 2), [1000, 1500]); // restarts at 1000 and 1001 + 1500
    // Ten quiet minutes after the last restart reset the count as well as the wait.
    const quiet = 2501 + 600_000;
    assert.deepEqual(backoffSequence(strategy, 2, quiet), [1000, 1500]);
    const third = fail(strategy, quiet + 1001 + 1501);
    assert.equal(third.restart, false);
    assert.equal(
      third.refusal,
      'exponential-delay: all 2 restart attempts since the last backoff reset used (no 10 min without a failure in between)',
    );
  });

  test('getBackoffTime before any failure is a misuse', () => {
    assert.throws(() => exponential().getBackoffTime(), IllegalStateError);
  });
});
