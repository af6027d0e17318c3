import type { Logger, TaskDeploymentDescriptor } from '@rivulet/common';
import type { InputGate, NetworkEnvironment, ResultPartitionWriter } from '../network/network-api.js';
import type { JobArtifacts } from './job-artifacts.js';
import { buildOperatorChain, type OperatorChain } from './operator-chain.js';
import { TaskCancelledError, describeFailure, type TaskReport } from './task-report.js';

const SOURCE_BATCH = 1024;
const YIELD_EVERY_BATCHES = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * One subtask: an operator chain fed by a source or by an input gate,
 * writing to result partitions. Runs cooperatively on the TaskManager's
 * event loop: it yields between batches and waits (never spins) when its
 * outputs have no room (backpressure) or its input has nothing.
 */
export class StreamTask {
  private readonly abort = new AbortController();
  private writers: ResultPartitionWriter[] = [];
  private gate: InputGate | undefined;

  constructor(
    readonly descriptor: TaskDeploymentDescriptor,
    private readonly network: NetworkEnvironment,
    private readonly artifacts: JobArtifacts,
    private readonly log: Logger,
  ) {}

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  cancel(): void {
    this.abort.abort(new TaskCancelledError());
  }

  /** Runs to the end; reports every state change. Never rejects. */
  async run(report: (report: TaskReport) => void): Promise<void> {
    const d = this.descriptor;
    const owner = `${d.vertexName} (${d.subtaskIndex + 1}/${d.parallelism})`;
    let chain: OperatorChain | undefined;
    try {
      report({ state: 'INITIALIZING' });
      const job = await this.artifacts.load(d);
      this.writers = d.outputs.map((o) => this.network.createResultPartition(o.partitionId, o.numberOfSubpartitions, { owner }));
      chain = buildOperatorChain(d, job, this.writers);
      const channels = d.inputs.flatMap((input) => input.channels);
      this.gate = channels.length > 0 ? this.network.createInputGate(channels, { owner }) : undefined;
      for (const member of chain.members) await member.open?.();
      await chain.source?.open?.();
      this.throwIfCancelled();
      report({ state: 'RUNNING' });
      if (chain.source) await this.runSource(chain);
      else await this.runInput(chain);
      this.throwIfCancelled();
      for (const member of chain.members) await member.finish?.();
      for (const writer of this.writers) writer.broadcastEvent({ kind: 'end-of-partition' });
      await this.race(Promise.all(this.writers.map((w) => w.whenFullyConsumed())));
      const result: Record<string, unknown[]> = {};
      for (const member of chain.members) Object.assign(result, member.result?.());
      report({ state: 'FINISHED', result });
    } catch (err) {
      for (const writer of this.writers) writer.release(err instanceof Error ? err : new Error(String(err)));
      if (this.cancelled) {
        report({ state: 'CANCELED' });
      } else {
        this.log.warn({ task: owner, err: describeFailure(err) }, 'task failed');
        report({ state: 'FAILED', failure: describeFailure(err) });
      }
    } finally {
      this.gate?.close();
      await Promise.allSettled([
        chain?.source?.close?.(),
        ...(chain?.members ?? []).map(async (member) => member.close?.()),
      ]);
    }
  }

  private async runSource(chain: OperatorChain): Promise<void> {
    const source = chain.source!;
    let batches = 0;
    for (;;) {
      this.throwIfCancelled();
      const emitted = source.emit(chain.head, SOURCE_BATCH);
      const more = typeof emitted === 'boolean' ? emitted : await emitted;
      await this.afterBatch(chain, ++batches);
      if (!more) return;
    }
  }

  private async runInput(chain: OperatorChain): Promise<void> {
    const gate = this.gate!;
    const keyed = chain.keyed;
    let batches = 0;
    for (;;) {
      this.throwIfCancelled();
      if (keyed) keyed.fireDueTimers(Date.now());
      const entry = gate.poll();
      if (entry === undefined) {
        if (gate.failure) throw gate.failure;
        if (gate.finished) return;
        const delay = keyed?.msUntilNextTimer(Date.now());
        await this.race(delay === undefined ? gate.whenAvailable() : Promise.race([gate.whenAvailable(), sleep(delay)]));
        continue;
      }
      if ('records' in entry) {
        const head = chain.head;
        for (const record of entry.records) head.collect(record);
        await this.afterBatch(chain, ++batches);
      }
    }
  }

  /** Between batches: let asynchronous sinks catch up, honour backpressure, and yield. */
  private async afterBatch(chain: OperatorChain, batches: number): Promise<void> {
    for (const member of chain.members) {
      const pending = member.drainPending?.();
      if (pending) await this.race(pending);
    }
    for (const writer of this.writers) {
      if (!writer.isAvailable()) await this.race(writer.whenAvailable());
    }
    if (batches % YIELD_EVERY_BATCHES === 0) await yieldToEventLoop();
  }

  private throwIfCancelled(): void {
    if (this.cancelled) throw this.abort.signal.reason;
  }

  /** Waits for `promise`, or rejects as soon as the task is cancelled. */
  private race<T>(promise: Promise<T>): Promise<T> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
