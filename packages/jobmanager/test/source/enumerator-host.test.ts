import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Boundedness, Source, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import type { EnumeratorEvent } from '@rivulet/common';
import { EnumeratorHost } from '../../src/source/enumerator-host.js';

interface Split extends SourceSplit {
  readonly n: number;
}

/** An enumerator that hands out its splits on request and records every call. */
class ListEnumerator implements SplitEnumerator<Split, Split[]> {
  readonly calls: string[] = [];
  constructor(readonly context: SplitEnumeratorContext<Split>, private readonly unassigned: Split[], private readonly failOn?: string) {}
  start(): void {
    this.calls.push('start');
  }
  handleSplitRequest(subtask: number): void {
    this.calls.push(`request ${subtask}`);
    if (this.failOn === 'handleSplitRequest') throw new Error('boom');
    const split = this.unassigned.shift();
    if (split) this.context.assignSplit(split, subtask);
    else this.context.signalNoMoreSplits(subtask);
  }
  addSplitsBack(splits: Split[], subtask: number): void {
    this.calls.push(`back ${subtask} ${splits.map((s) => s.splitId).join(',')}`);
    this.unassigned.unshift(...splits);
  }
  addReader(subtask: number): void {
    this.calls.push(`reader ${subtask}`);
  }
  async snapshotState(): Promise<Split[]> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return [...this.unassigned];
  }
}

function host(splits: Split[], failOn?: string) {
  let enumerator: ListEnumerator | undefined;
  const sent: Array<{ subtask: number; attemptId: string; event: EnumeratorEvent }> = [];
  const failures: string[] = [];
  const source: Source<unknown, Split, Split[]> = {
    getBoundedness: (): Boundedness => 'BOUNDED',
    createEnumerator: (context) => (enumerator = new ListEnumerator(context, [...splits], failOn)),
    restoreEnumerator: (context, state) => (enumerator = new ListEnumerator(context, [...state], failOn)),
    createReader: (): SourceReader<unknown, Split> => {
      throw new Error('not here');
    },
  };
  const h = new EnumeratorHost('src-1', 'Numbers', 2, source as Source<unknown, SourceSplit, unknown>, {
    toReader: (subtask, attemptId, event) => void sent.push({ subtask, attemptId, event }),
    failed: (reason) => void failures.push(reason),
  });
  return { h, sent, failures, enumerator: () => enumerator! };
}

const split = (n: number): Split => ({ splitId: `s${n}`, n });

describe('EnumeratorHost', () => {
  test('a split request right behind its registration is answered; events go to the registered attempt', async () => {
    const { h, sent, enumerator } = host([split(1), split(2)]);
    await h.start(undefined);
    const registered = h.handleReaderEvent({ kind: 'reader-registration', subtask: 0, location: 'here' }, 'attempt-a');
    const requested = h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: 'here' }, 'attempt-a');
    await Promise.all([registered, requested]);
    assert.deepEqual(enumerator().calls, ['start', 'reader 0', 'request 0']);
    assert.deepEqual(sent, [{ subtask: 0, attemptId: 'attempt-a', event: { kind: 'add-splits', splits: [split(1)] } }]);
  });

  test('requests of an attempt that is not the registered one are dropped', async () => {
    const { h, sent, enumerator } = host([split(1)]);
    await h.start(undefined);
    await h.handleReaderEvent({ kind: 'reader-registration', subtask: 1, location: 'here' }, 'new');
    await h.handleReaderEvent({ kind: 'split-request', subtask: 1, hostname: undefined }, 'old');
    assert.deepEqual(enumerator().calls, ['start', 'reader 1']);
    assert.deepEqual(sent, []);
  });

  test('a reset gives back what no checkpoint covers and unregisters the reader', async () => {
    const { h, enumerator } = host([split(1), split(2), split(3)]);
    await h.start(undefined);
    await h.handleReaderEvent({ kind: 'reader-registration', subtask: 0, location: 'here' }, 'a');
    await h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: undefined }, 'a');
    assert.deepEqual(await h.snapshot(7), [split(2), split(3)]);
    await h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: undefined }, 'a');
    await h.subtaskReset(0, 7);
    assert.deepEqual(enumerator().calls.at(-1), 'back 0 s2', 's1 is in checkpoint 7 (the reader state), s2 is not');
    assert.equal(enumerator().context.registeredReaders().has(0), false);
  });

  test('an enumerator that throws is reported once, naming the source and the method, and called no more', async () => {
    const { h, failures, enumerator } = host([split(1)], 'handleSplitRequest');
    await h.start(undefined);
    await h.handleReaderEvent({ kind: 'reader-registration', subtask: 0, location: 'here' }, 'a');
    await h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: undefined }, 'a');
    await h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: undefined }, 'a');
    assert.deepEqual(failures, ["source 'Numbers' (src-1): the split enumerator's handleSplitRequest() failed: boom"]);
    assert.equal(enumerator().calls.filter((c) => c.startsWith('request')).length, 1);
    await assert.rejects(h.snapshot(1), /broken/);
  });

  test('assigning to a reader that is not registered fails the enumerator, naming the subtask', async () => {
    const { h, failures, enumerator } = host([split(1)]);
    await h.start(undefined);
    await h.handleReaderEvent({ kind: 'reader-registration', subtask: 0, location: 'here' }, 'a');
    enumerator().handleSplitRequest = function (this: ListEnumerator) {
      this.context.assignSplit(split(9), 1);
    };
    await h.handleReaderEvent({ kind: 'split-request', subtask: 0, hostname: undefined }, 'a');
    assert.match(failures[0] ?? '', /handleSplitRequest\(\) failed: assignSplits: the reader of subtask 1 is not registered/);
  });
});
