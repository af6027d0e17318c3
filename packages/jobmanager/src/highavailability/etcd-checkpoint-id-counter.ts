/**
 * The checkpoint id counter of one job in etcd, at
 * `/rivulet/<cluster-id>/checkpoint-counter/<job-id>`: the decimal id
 * `getAndIncrement` returns next (no key: 1).
 *
 * Invariants (CheckpointIdCounter): ids strictly increase and never repeat,
 * across JobManagers too — every change is a compare-and-swap on the key's
 * mod revision, so of two concurrent increments exactly one wins and the
 * other retries from the value it lost to (at most `CAS_MAX_ATTEMPTS` times);
 * `advanceTo` never lowers the counter. Every write is fenced (leader-fence.ts).
 */
import { RivuletError, withEtcdDeadline } from '@rivulet/common';
import type { CheckpointIdCounter } from '../checkpoint/index.js';
import { CorruptedHaRecordError } from './errors.js';
import { checkpointCounterKey, checkJobId } from './ha-keys.js';
import { CAS_MAX_ATTEMPTS, commitFenced, rangeResult, type EtcdStoreOptions, type KeyValue } from './leader-fence.js';

export interface EtcdCheckpointIdCounterOptions extends EtcdStoreOptions {
  readonly jobId: string;
}

/** The counter's value and the revision it was read at ('0': no key yet). */
interface CounterState {
  readonly next: number;
  readonly modRevision: string;
}

export class EtcdCheckpointIdCounter implements CheckpointIdCounter {
  readonly jobId: string;
  /** `/rivulet/<cluster-id>/checkpoint-counter/<job-id>`. */
  readonly key: string;

  constructor(private readonly options: EtcdCheckpointIdCounterOptions) {
    this.jobId = checkJobId(options.jobId);
    this.key = checkpointCounterKey(options.settings, options.jobId);
  }

  async getAndIncrement(): Promise<number> {
    return this.compareAndSwap('increment', (next) => {
      if (!Number.isSafeInteger(next + 1)) throw new RangeError(`checkpoint id counter of job ${this.jobId} is exhausted at ${next}`);
      return next + 1;
    });
  }

  async get(): Promise<number> {
    return (await this.read(`read of the checkpoint id counter of job ${this.jobId}`)).next;
  }

  async advanceTo(nextId: number): Promise<void> {
    if (!Number.isSafeInteger(nextId)) throw new RangeError(`not a checkpoint id: ${nextId}`);
    await this.compareAndSwap(`advance to ${nextId}`, (next) => (nextId > next ? nextId : undefined));
  }

  /**
   * Replaces the counter's value `next` with `change(next)` (nothing to do when
   * it returns undefined); resolves with the value it replaced. A change
   * starts with a read; a conflict answers the current state in the same
   * transaction and the retry follows at once, one round trip ahead of any
   * writer's next change that starts with a read — so a writer that lost
   * wins the next round instead of losing to the same writer over and over.
   * (Some writer wins each round: there is no livelock.)
   */
  private async compareAndSwap(what: string, change: (next: number) => number | undefined): Promise<number> {
    const { client, fence, timeoutMs } = this.options;
    const operation = `${what} of the checkpoint id counter of job ${this.jobId}`;
    let state = await this.read(`read before ${operation}`);
    for (let attempt = 1; ; attempt += 1) {
      const target = change(state.next);
      if (target === undefined) return state.next;
      const outcome = await commitFenced(
        client,
        fence,
        {
          compares: [[this.key, 'Mod', '==', state.modRevision]],
          writes: [client.put(this.key).value(String(target))],
          readsOnConflict: [client.get(this.key)],
        },
        operation,
        { timeoutMs },
      );
      if (outcome.succeeded) return state.next;
      state = this.decode(rangeResult(outcome.responses, 0));
      if (attempt >= CAS_MAX_ATTEMPTS) {
        throw new RivuletError('CLUSTER', `${operation} lost to concurrent writers ${attempt} times in a row; gave up`);
      }
    }
  }

  private async read(operation: string): Promise<CounterState> {
    const response = await withEtcdDeadline(this.options.client.get(this.key).exec(), operation, { timeoutMs: this.options.timeoutMs });
    return this.decode(response.kvs[0]);
  }

  private decode(kv: KeyValue | undefined): CounterState {
    if (kv === undefined) return { next: 1, modRevision: '0' };
    const text = kv.value.toString('utf8');
    const next = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(next)) {
      throw new CorruptedHaRecordError(this.key, `${JSON.stringify(text.slice(0, 40))} is not a checkpoint id`);
    }
    return { next, modRevision: kv.mod_revision };
  }
}
