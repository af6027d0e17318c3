import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError, loadConfiguration } from '../src/index.js';

test('taskmanager.memory.task.heap.size takes Flink\'s memory sizes, in MiB', () => {
  const heap = (value: unknown): unknown => loadConfiguration({ flags: { 'taskmanager.memory.task.heap.size': value } })['taskmanager.memory.task.heap.size'];
  assert.equal(heap('512m'), 512);
  assert.equal(heap('1g'), 1024);
  assert.equal(heap('2 gb'), 2048);
  assert.equal(heap('1536 MB'), 1536);
  assert.equal(heap(1024 * 1024 * 3), 3);
  assert.equal(heap(''), null);
  assert.equal(loadConfiguration({})['taskmanager.memory.task.heap.size'], null);
});

test('a bad memory size names the key and what was expected', () => {
  for (const bad of ['lots', '12 parsecs', '-5m', '0m', '100']) {
    assert.throws(
      () => loadConfiguration({ flags: { 'taskmanager.memory.task.heap.size': bad } }),
      (err: unknown) => err instanceof ConfigurationError && /taskmanager\.memory\.task\.heap\.size/.test(err.message) && /memory size|at least 1 MiB/.test(err.message),
      bad,
    );
  }
});

test('task.cancellation.timeout and interval are durations with Flink\'s defaults', () => {
  const config = loadConfiguration({});
  assert.equal(config['task.cancellation.timeout'], 180_000);
  assert.equal(config['task.cancellation.interval'], 30_000);
  assert.equal(loadConfiguration({ flags: { 'task.cancellation.timeout': '0' } })['task.cancellation.timeout'], 0);
});
