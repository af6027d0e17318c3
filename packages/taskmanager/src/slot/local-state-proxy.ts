import type { FromSlot } from '../protocol/slot-messages.js';
import type { LocalRead, LocalStateAccess, LocalStateFile } from './checkpointing/task-checkpointing.js';

/**
 * The TaskManager's local state store (local recovery) as a slot's tasks
 * see it: it lives on the control thread, which outlives slot threads, so
 * copies survive a restart of the job in a new thread. Copies go there once
 * their upload named their location; reads are requests answered by
 * `answer`.
 */
export class LocalStateProxy implements LocalStateAccess {
  private readonly pending = new Map<number, (result: LocalRead) => void>();
  private nextRequest = 1;

  constructor(private readonly post: (message: FromSlot, transfer?: ArrayBuffer[]) => void) {}

  keep(file: LocalStateFile, bytes: Uint8Array, location: Promise<string>): void {
    location.then(
      (resolved) => this.post({ kind: 'local-state-keep', file, bytes, location: resolved }),
      () => undefined, // the upload failed: no copy (the checkpoint is declined anyway)
    );
  }

  read(checkpointId: number, location: string, offset: number, length: number): Promise<LocalRead> {
    const requestId = this.nextRequest++;
    return new Promise<LocalRead>((resolve) => {
      this.pending.set(requestId, resolve);
      this.post({ kind: 'local-state-read', requestId, checkpointId, location, offset, length });
    });
  }

  answer(requestId: number, result: LocalRead): void {
    const resolve = this.pending.get(requestId);
    this.pending.delete(requestId);
    if (result.kind === 'hit') resolve?.({ kind: 'hit', bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength) });
    else resolve?.(result);
  }
}
