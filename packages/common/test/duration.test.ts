import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Backoff, formatDuration, parseDuration, sleep } from '../src/index.js';

function ms(input: unknown): number {
  const result = parseDuration(input);
  assert.ok(result.ok, `expected ${JSON.stringify(input)} to parse, got: ${result.ok ? '' : result.error}`);
  return result.ms;
}

function parseError(input: unknown): string {
  const result = parseDuration(input);
  assert.ok(!result.ok, `expected ${JSON.stringify(input)} to be refused, got ${result.ok ? result.ms : ''} ms`);
  return result.error;
}

describe('parseDuration', () => {
  test('a plain number is milliseconds', () => {
    assert.equal(ms(0), 0);
    assert.equal(ms(250), 250);
    assert.equal(ms(1.6), 2, 'rounded to whole milliseconds');
  });

  test('a string without a unit is milliseconds', () => {
    assert.equal(ms('1500'), 1500);
    assert.equal(ms('  42  '), 42);
  });

  test('every unit family', () => {
    assert.equal(ms('500ms'), 500);
    assert.equal(ms('500 ms'), 500);
    assert.equal(ms('3 millis'), 3);
    assert.equal(ms('5 s'), 5000);
    assert.equal(ms('5s'), 5000);
    assert.equal(ms('2 sec'), 2000);
    assert.equal(ms('1 second'), 1000);
    assert.equal(ms('10 seconds'), 10_000);
    assert.equal(ms('1 min'), 60_000);
    assert.equal(ms('2m'), 120_000);
    assert.equal(ms('3 minutes'), 180_000);
    assert.equal(ms('2h'), 7_200_000);
    assert.equal(ms('1 hour'), 3_600_000);
    assert.equal(ms('1d'), 86_400_000);
    assert.equal(ms('2 days'), 172_800_000);
  });

  test('units are case-insensitive', () => {
    assert.equal(ms('5 S'), 5000);
    assert.equal(ms('500 MS'), 500);
    assert.equal(ms('1 Min'), 60_000);
  });

  test('fractions are accepted and rounded to milliseconds', () => {
    assert.equal(ms('1.5 s'), 1500);
    assert.equal(ms('0.25 min'), 15_000);
    assert.equal(ms('1.0004 s'), 1000);
  });

  test('unknown units are refused with a message naming the input', () => {
    const error = parseError('5 fortnights');
    assert.match(error, /expected a duration/);
    assert.ok(error.includes('"5 fortnights"'), error);
  });

  test('text that is not a duration is refused', () => {
    for (const bad of ['abc', '', '   ', 's', '5 s 3', '-5 s', '1e3', '5,5 s', '.5 s']) {
      const error = parseError(bad);
      assert.match(error, /expected a duration/, bad);
    }
  });

  test('negative, infinite and NaN numbers are refused', () => {
    assert.match(parseError(-1), /non-negative/);
    assert.match(parseError(Number.POSITIVE_INFINITY), /non-negative/);
    assert.match(parseError(Number.NaN), /non-negative/);
  });

  test('values of other types are refused naming the type', () => {
    assert.match(parseError(true), /got boolean/);
    assert.match(parseError(null), /got object/);
    assert.match(parseError(undefined), /got undefined/);
    assert.match(parseError({ ms: 5 }), /got object/);
  });
});

describe('formatDuration', () => {
  test('picks the largest unit that divides exactly', () => {
    assert.equal(formatDuration(7_200_000), '2 h');
    assert.equal(formatDuration(120_000), '2 min');
    assert.equal(formatDuration(90_000), '90 s');
    assert.equal(formatDuration(5000), '5 s');
    assert.equal(formatDuration(1500), '1500 ms');
    assert.equal(formatDuration(1), '1 ms');
  });

  test('zero is written in milliseconds', () => {
    assert.equal(formatDuration(0), '0 ms');
  });

  test('its output parses back to the same value', () => {
    for (const value of [0, 1, 999, 1000, 1500, 60_000, 61_000, 3_600_000, 5_400_000, 86_400_000]) {
      assert.equal(ms(formatDuration(value)), value, formatDuration(value));
    }
  });
});

describe('Backoff', () => {
  test('with random = 1 it doubles from the initial delay up to the bound', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    assert.deepEqual(
      Array.from({ length: 7 }, () => backoff.next()),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
  });

  test('with random = 0 it returns half of each step (lower edge of the jitter)', () => {
    const backoff = new Backoff(100, 1000, () => 0);
    assert.deepEqual(
      Array.from({ length: 6 }, () => backoff.next()),
      [50, 100, 200, 400, 500, 500],
    );
  });

  test('jitter stays within [d/2, d] and never exceeds the bound', () => {
    const values = [0.1, 0.9, 0.5, 0.3, 0.99, 0.01, 0.7, 0.42, 0.0, 1.0];
    let i = 0;
    const backoff = new Backoff(100, 800, () => values[i++ % values.length] ?? 0);
    let step = 100;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const delay = backoff.next();
      assert.ok(delay >= step / 2 && delay <= step, `attempt ${attempt}: ${delay} outside [${step / 2}, ${step}]`);
      assert.ok(delay <= 800, `attempt ${attempt}: ${delay} above the bound`);
      step = Math.min(800, step * 2);
    }
  });

  test('stays bounded after very many attempts', () => {
    const backoff = new Backoff(100, 2000, () => 1);
    let last = 0;
    for (let attempt = 0; attempt < 2000; attempt += 1) last = backoff.next();
    assert.equal(last, 2000);
  });

  test('reset starts again from the initial delay', () => {
    const backoff = new Backoff(100, 1000, () => 1);
    backoff.next();
    backoff.next();
    assert.equal(backoff.next(), 400);
    backoff.reset();
    assert.equal(backoff.next(), 100);
    assert.equal(backoff.next(), 200);
  });

  test('an initial delay above the bound is capped at the bound', () => {
    const backoff = new Backoff(5000, 1000, () => 1);
    assert.equal(backoff.next(), 1000);
  });
});

describe('sleep', () => {
  test('resolves after the delay without a signal', async () => {
    const start = performance.now();
    await sleep(20);
    assert.ok(performance.now() - start >= 15, 'waited roughly the delay');
  });

  test('resolves with a signal that is never aborted', async () => {
    const controller = new AbortController();
    assert.equal(await sleep(5, controller.signal), undefined);
  });

  test('rejects with the abort reason when aborted while waiting, without waiting the delay', async () => {
    const controller = new AbortController();
    const reason = new Error('stopping');
    const start = performance.now();
    const pending = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(reason), 5);
    await assert.rejects(pending, (err) => err === reason);
    assert.ok(performance.now() - start < 5000, 'did not wait for the timer');
  });

  test('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('already stopped');
    await assert.rejects(sleep(60_000, AbortSignal.abort(reason)), (err) => err === reason);
  });

  test('an abort without a reason still rejects with an error', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(pending, (err) => err instanceof Error);
  });

  test('leaves no abort listener behind once it resolved or rejected', async () => {
    const controller = new AbortController();
    await sleep(1, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listener removed after resolving');
    const pending = sleep(60_000, controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'listener added while waiting');
    controller.abort(new Error('stop'));
    await assert.rejects(pending);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'listener removed after rejecting');
  });
});
