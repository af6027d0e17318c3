import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FencingError, RivuletError, type LeaderSession, type LeaderSessionId, type pb } from '@rivulet/common';
import { LeaderSessionGuard } from '../../src/index.js';

function session(sessionId: string, epoch: number): LeaderSession {
  return { sessionId: sessionId as LeaderSessionId, epoch };
}

function message(sessionId: string, epoch: number): pb.LeaderSessionMessage__Output {
  return { sessionId, epoch };
}

/** Asserts `fn` throws a FencingError and returns it. */
function fenced(fn: () => unknown): FencingError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FencingError, `expected a FencingError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a FencingError, nothing was thrown');
}

describe('LeaderSessionGuard', () => {
  test('knows no session before the first one', () => {
    assert.equal(new LeaderSessionGuard().current, undefined);
  });

  test('accepts the first session it sees and remembers it', () => {
    const guard = new LeaderSessionGuard();
    const accepted = guard.check(message('session-a', 3));
    assert.deepEqual(accepted, session('session-a', 3));
    assert.deepEqual(guard.current, session('session-a', 3));
  });

  test('accepts the same session again', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-a', 3));
    assert.deepEqual(guard.check(message('session-a', 3)), session('session-a', 3));
  });

  test('refuses an older epoch with a FencingError naming both epochs', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-new', 7));
    const err = fenced(() => guard.check(message('session-old', 5)));
    assert.match(err.message, /epoch 5/);
    assert.match(err.message, /epoch 7/);
    assert.ok(err.message.includes('session-old'), err.message);
    assert.equal(err.code, 'FENCED');
    assert.equal(err.name, 'FencingError');
    assert.ok(err instanceof RivuletError);
    assert.deepEqual(guard.current, session('session-new', 7), 'a refused call does not change the newest session');
  });

  test('refuses a different session id at the same epoch', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-a', 4));
    const err = fenced(() => guard.check(message('session-b', 4)));
    assert.ok(err.message.includes('session-b'), err.message);
    assert.match(err.message, /epoch 4/);
    assert.deepEqual(guard.current, session('session-a', 4));
  });

  test('accepts a newer epoch, then enforces it', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-a', 1));
    assert.deepEqual(guard.check(message('session-b', 2)), session('session-b', 2));
    assert.deepEqual(guard.current, session('session-b', 2));
    const err = fenced(() => guard.check(message('session-a', 1)));
    assert.match(err.message, /epoch 1\b/);
    assert.match(err.message, /epoch 2\b/);
    assert.deepEqual(guard.check(message('session-b', 2)), session('session-b', 2));
  });

  test('compares epochs as numbers (10 is newer than 9)', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-9', 9));
    guard.check(message('session-10', 10));
    fenced(() => guard.check(message('session-9', 9)));
  });

  test('refuses a call that carries no session', () => {
    const guard = new LeaderSessionGuard();
    for (const missing of [null, undefined, message('', 1)]) {
      const err = fenced(() => guard.check(missing));
      assert.match(err.message, /no leader session/);
    }
    assert.equal(guard.current, undefined, 'a refused call records nothing');
  });

  test('refuses a missing session also once a leader is known', () => {
    const guard = new LeaderSessionGuard();
    guard.check(message('session-a', 1));
    fenced(() => guard.check(null));
    assert.deepEqual(guard.current, session('session-a', 1));
  });

  describe('observe', () => {
    test('records the first session', () => {
      const guard = new LeaderSessionGuard();
      guard.observe(session('session-a', 2));
      assert.deepEqual(guard.current, session('session-a', 2));
    });

    test('moves forward to a newer epoch', () => {
      const guard = new LeaderSessionGuard();
      guard.observe(session('session-a', 2));
      guard.observe(session('session-b', 5));
      assert.deepEqual(guard.current, session('session-b', 5));
    });

    test('never moves backwards, and ignores another session at the same epoch', () => {
      const guard = new LeaderSessionGuard();
      guard.observe(session('session-b', 5));
      guard.observe(session('session-a', 2));
      assert.deepEqual(guard.current, session('session-b', 5));
      guard.observe(session('session-c', 5));
      assert.deepEqual(guard.current, session('session-b', 5));
    });

    test('an observed session fences calls from older leaders', () => {
      const guard = new LeaderSessionGuard();
      guard.observe(session('session-b', 5));
      fenced(() => guard.check(message('session-a', 4)));
      fenced(() => guard.check(message('session-x', 5)));
      assert.deepEqual(guard.check(message('session-b', 5)), session('session-b', 5));
    });
  });
});
