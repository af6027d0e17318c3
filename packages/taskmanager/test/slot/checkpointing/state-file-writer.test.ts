import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateFileWriter } from '../../../src/slot/checkpointing/state-file-writer.js';

const piece = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test('pieces are cut into files of about fileBytes; handles locate every piece', async () => {
  const files = new Map<number, Buffer>();
  const writer = new StateFileWriter(async (index, bytes) => {
    files.set(index, bytes);
    return `file-${index}`;
  }, { fileBytes: 10, maxInFlight: 2 });
  const handles = [];
  for (let i = 0; i < 7; i++) handles.push(await writer.append(piece(4, i + 1)));
  const paths = await writer.finish();
  assert.deepEqual(paths, ['file-0', 'file-1', 'file-2']);
  assert.deepEqual([...files.values()].map((b) => b.length), [12, 12, 4]);
  assert.equal(writer.bytes, 28);
  handles.forEach((h, i) => {
    const bytes = files.get(h.file)!.subarray(h.offset, h.offset + h.length);
    assert.deepEqual([...bytes], [...piece(4, i + 1)], `piece ${i}`);
  });
});

test('no more than maxInFlight writes run at once, and append waits for a slot', async () => {
  let running = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const writer = new StateFileWriter((index) => {
    running += 1;
    most = Math.max(most, running);
    return new Promise((resolve) => release.push(() => {
      running -= 1;
      resolve(`f${index}`);
    }));
  }, { fileBytes: 1, maxInFlight: 2 });
  await writer.append(piece(1, 1));
  await writer.append(piece(1, 2));
  let third = false;
  const appending = writer.append(piece(1, 3)).then(() => (third = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(third, false, 'the third file waits while two are in flight');
  release.shift()!();
  await appending;
  const finishing = writer.finish();
  while (release.length > 0 || running > 0) {
    release.shift()?.();
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.deepEqual(await finishing, ['f0', 'f1', 'f2']);
  assert.equal(most, 2);
});

test('a failed write fails finish with its error; abandon waits for the rest', async () => {
  let settled = 0;
  const writer = new StateFileWriter(async (index) => {
    await new Promise((r) => setTimeout(r, 5));
    settled += 1;
    if (index === 0) throw new Error('put state-0 failed: endpoint down');
    return `f${index}`;
  }, { fileBytes: 1, maxInFlight: 2 });
  await writer.append(piece(1, 1));
  await writer.append(piece(1, 2));
  await assert.rejects(writer.finish(), /put state-0 failed: endpoint down/);
  await writer.abandon();
  assert.equal(settled, 2);
  await assert.rejects(writer.append(piece(1, 3)), /endpoint down/);
});

test('bad options are refused with their values', () => {
  assert.throws(() => new StateFileWriter(async () => '', { fileBytes: 0, maxInFlight: 1 }), /fileBytes > 0/);
});
