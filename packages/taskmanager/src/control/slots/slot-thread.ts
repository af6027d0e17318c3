import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RivuletError, type Configuration, type Logger } from '@rivulet/common';
import type { FromSlot, SlotNetworkSettings, SlotThreadData, ToSlot } from '../../protocol/slot-messages.js';
import { MessageCoalescer } from '../../protocol/message-coalescer.js';

/** How a slot's thread ended, when it was not asked to. */
export interface SlotThreadEnd {
  readonly reason: 'out-of-memory' | 'crashed' | 'terminated';
  readonly message: string;
  /** The task number the thread last marked as running (0: none). */
  readonly runningTask: number;
}

export interface SlotThreadOptions {
  readonly slotIndex: number;
  readonly resourceId: string;
  readonly config: Configuration;
  readonly network: SlotNetworkSettings;
  /** Heap limit of the thread (V8 old generation), in MiB. */
  readonly heapLimitMb: number;
  readonly onMessage: (message: FromSlot) => void;
  readonly onEnd: (end: SlotThreadEnd) => void;
  readonly log: Logger;
}

/**
 * The slot thread's entry: slot/slot-thread.ts and the workspace modules it
 * imports bundled into one file by scripts/bundle-slot-thread.mjs (part of
 * `pnpm run build`), because a thread starts for every job and loading the
 * ~190 modules and pino's files one by one took twice as long (docs/architecture.md, "Threads").
 */
const ENTRY = new URL('../../../slot-thread/slot-thread.mjs', import.meta.url);

/** The bundle a slot thread runs; throws naming the build step when it is missing. */
export function slotThreadEntry(): URL {
  if (!existsSync(ENTRY)) {
    throw new RivuletError(
      'CLUSTER',
      `the slot thread bundle ${fileURLToPath(ENTRY)} is missing: build the workspace with \`pnpm run build\` (it runs packages/taskmanager/scripts/bundle-slot-thread.mjs after tsc)`,
    );
  }
  return ENTRY;
}

/**
 * One slot's thread (a worker_thread with its own event loop and heap
 * limit), seen from the control thread. A runaway or exhausted thread is
 * ended with `terminate()`, which stops even a user function stuck in a
 * loop; the TaskManager process and its other slots keep running.
 */
export class SlotThread {
  private readonly worker: Worker;
  /** Everything for the slot leaves at the end of the control thread's turn, in one message. */
  private readonly outbox: MessageCoalescer<ToSlot>;
  private readonly running = new Int32Array(new SharedArrayBuffer(4));
  private ended = false;
  private terminating = false;
  private lastError: Error | undefined;
  readonly exited: Promise<void>;

  constructor(private readonly options: SlotThreadOptions) {
    const data: SlotThreadData = {
      slotIndex: options.slotIndex,
      resourceId: options.resourceId,
      config: options.config as unknown as Record<string, unknown>,
      network: options.network,
      runningTask: this.running.buffer as SharedArrayBuffer,
    };
    this.worker = new Worker(slotThreadEntry(), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb },
      name: `slot-${options.slotIndex}`,
    });
    this.outbox = new MessageCoalescer<ToSlot>((messages, transfer) => this.worker.postMessage(messages, transfer));
    this.worker.on('message', (messages: FromSlot[]) => {
      for (const message of messages) options.onMessage(message);
    });
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', (code) => {
        this.ended = true;
        resolve();
        options.onEnd(this.describeEnd(code));
      });
    });
    options.log.info({ slot: options.slotIndex, heapLimitMb: options.heapLimitMb, threadId: this.worker.threadId }, 'slot thread started');
  }

  get alive(): boolean {
    return !this.ended;
  }

  send(message: ToSlot, transfer?: ArrayBuffer[]): void {
    if (this.ended) return;
    this.outbox.defer(message, transfer);
  }

  /** Ends the thread whatever it is doing; resolves once it is gone. */
  async terminate(): Promise<void> {
    if (this.ended) return;
    this.terminating = true;
    await this.worker.terminate();
    await this.exited;
  }

  private describeEnd(code: number): SlotThreadEnd {
    const runningTask = Atomics.load(this.running, 0);
    const error = this.lastError as (Error & { code?: string }) | undefined;
    if (error?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return { reason: 'out-of-memory', message: error.message, runningTask };
    }
    if (this.terminating) return { reason: 'terminated', message: 'the slot thread was terminated', runningTask };
    const message = error ? `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ''}` : `the slot thread exited with code ${code}`;
    return { reason: 'crashed', message, runningTask };
  }
}
