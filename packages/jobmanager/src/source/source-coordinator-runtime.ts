/**
 * The source coordinator of one job (see coordinator-messages.ts): compiles
 * the job from its bundle as the TaskManagers do (when a fromSource
 * operator needs it) and hosts the split enumerator of every source
 * operator — a fromSource operator's from the bundle, a built-in source's
 * from the runtime (it needs no bundle). It runs in a worker thread of its
 * own (source-coordinator-worker.ts) when the job has a fromSource operator,
 * so that user code runs only there, never on the JobManager's main thread;
 * a job whose sources are all built-in runs no user code in it and has it on
 * the main thread (InProcessCoordinator), over the same messages.
 */
import { pathToFileURL } from 'node:url';
import { isJobDefinition, type CompiledJob, type JobDefinition, type Source, type SourceSplit } from '@rivulet/api';
import {
  CHECKPOINT_OF_READER_HELD_SPLITS,
  createBuiltinSource,
  decodeReaderEvent,
  decodeSourceData,
  encodeOperatorEvent,
  encodeSourceData,
  errorMessage,
} from '@rivulet/common/task-runtime';
import type { CoordinatedSource, CoordinatorThreadData, FromCoordinator, ToCoordinator } from './coordinator-messages.js';
import { EnumeratorHost } from './enumerator-host.js';

/** Where the coordinator takes messages from and posts its own: a worker's parentPort, or one end of a MessageChannel. */
export interface CoordinatorPort {
  postMessage(message: FromCoordinator, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: ToCoordinator) => void): unknown;
}

/** Runs the coordinator of the job `data` describes over `port`: it answers until it is closed. */
export function runSourceCoordinator(data: CoordinatorThreadData, port: CoordinatorPort): void {
  const coordinator = new CoordinatorRuntime(data, port);
  port.on('message', (message) => coordinator.handle(message));
}

class CoordinatorRuntime {
  private readonly hosts = new Map<string, EnumeratorHost>();
  private readonly running: Int32Array;
  /** Settles once every enumerator started (or the start failed, reported): messages but pings wait for it. */
  private readonly started: Promise<void>;

  constructor(
    private readonly data: CoordinatorThreadData,
    private readonly port: CoordinatorPort,
  ) {
    this.running = new Int32Array(data.running);
    this.started = this.start();
  }

  handle(message: ToCoordinator): void {
    switch (message.kind) {
      case 'ping':
        this.post({ kind: 'pong', sequence: message.sequence });
        return;
      case 'close':
        void this.started
          .then(() => Promise.allSettled([...this.hosts.values()].map((host) => host.close())))
          .finally(() => this.post({ kind: 'closed' }));
        return;
    }
    void this.started.then(() => {
      switch (message.kind) {
        case 'reader-event': {
          const host = this.hosts.get(message.operatorId);
          if (!host) return;
          let event;
          try {
            event = decodeReaderEvent(message.event);
          } catch (err) {
            return this.post({ kind: 'failed', operatorId: message.operatorId, reason: `${host.description}: an undecodable reader event: ${errorMessage(err)}` });
          }
          return host.handleReaderEvent(event, message.attemptId);
        }
        case 'subtask-reset':
          return this.hosts.get(message.operatorId)?.subtaskReset(message.subtask, message.restoredFrom);
        case 'reader-adopted':
          return this.hosts.get(message.operatorId)?.adoptReader(message.subtask, message.attemptId, message.location);
        case 'snapshot':
          return this.snapshot(message.checkpointId);
        case 'checkpoint-complete':
          for (const host of this.hosts.values()) void host.checkpointComplete(message.checkpointId);
          return;
      }
    });
  }

  private post(message: FromCoordinator, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }

  private async start(): Promise<void> {
    let functions: CompiledJob['functions'] | undefined;
    if (this.data.sources.some((spec) => !spec.builtin)) {
      if (this.data.bundlePath === undefined) return this.post({ kind: 'failed', operatorId: undefined, reason: 'the source coordinator was started without the job bundle its fromSource operators need' });
      functions = await this.compileBundle(this.data.bundlePath);
      if (!functions) return;
    }
    for (const spec of this.data.sources) {
      const source = this.sourceOf(spec, functions);
      if (!source) return;
      const index = this.hosts.size + 1;
      this.hosts.set(spec.operatorId, new EnumeratorHost(spec.operatorId, spec.name, spec.parallelism, source, {
        toReader: (subtask, attemptId, event) => {
          const bytes = encodeOperatorEvent(event);
          this.post({ kind: 'to-reader', operatorId: spec.operatorId, subtask, attemptId, event: bytes }, [bytes.buffer as ArrayBuffer]);
        },
        failed: (reason) => this.post({ kind: 'failed', operatorId: spec.operatorId, reason }),
      }, (active) => Atomics.store(this.running, 0, active ? index : 0)));
    }
    for (const spec of this.data.sources) {
      const host = this.hosts.get(spec.operatorId)!;
      let restored: { state: unknown } | undefined;
      // A built-in source's snapshot from before it had an enumerator: every split is in its readers' state.
      if (spec.restoredState === null && spec.builtin) restored = { state: CHECKPOINT_OF_READER_HELD_SPLITS };
      if (spec.restoredState) {
        try {
          restored = { state: decodeSourceData(spec.restoredState) };
        } catch (err) {
          return this.post({ kind: 'failed', operatorId: spec.operatorId, reason: `${host.description}: its enumerator checkpoint cannot be decoded: ${errorMessage(err)}` });
        }
      }
      await host.start(restored);
    }
    this.post({ kind: 'started' });
  }

  /** The Source of `spec`: the runtime's for a built-in source, else the bundle's; undefined when there is none (reported). */
  private sourceOf(spec: CoordinatedSource, functions: CompiledJob['functions'] | undefined): Source<unknown, SourceSplit, unknown> | undefined {
    if (spec.builtin) {
      try {
        return createBuiltinSource({ operatorId: spec.operatorId, name: spec.name, ...spec.builtin }) as Source<unknown, SourceSplit, unknown>;
      } catch (err) {
        this.post({ kind: 'failed', operatorId: spec.operatorId, reason: errorMessage(err) });
        return undefined;
      }
    }
    const fns = functions?.get(spec.operatorId);
    const source = fns?.kind === 'source' ? fns.source : undefined;
    if (!source) {
      this.post({ kind: 'failed', operatorId: spec.operatorId, reason: `source '${spec.name}' (${spec.operatorId}) has no Source object in the job bundle as built on the JobManager (the job's build must be deterministic)` });
    }
    return source;
  }

  /** The job's functions as compiled from its bundle; undefined when it could not be (reported). */
  private async compileBundle(bundlePath: string): Promise<CompiledJob['functions'] | undefined> {
    let definition: JobDefinition;
    try {
      const module = (await import(pathToFileURL(bundlePath).href)) as { default?: unknown };
      if (!isJobDefinition(module.default)) throw new Error('the job bundle has no job definition as its default export');
      definition = module.default;
    } catch (err) {
      this.post({ kind: 'failed', operatorId: undefined, reason: `the job bundle failed to load in the source coordinator: ${errorMessage(err)}` });
      return undefined;
    }
    try {
      return definition.compile(this.data.compile).functions;
    } catch (err) {
      this.post({ kind: 'failed', operatorId: undefined, reason: `the job's build function failed in the source coordinator: ${errorMessage(err)}` });
      return undefined;
    }
  }

  private async snapshot(checkpointId: number): Promise<void> {
    const states: Record<string, Uint8Array> = {};
    try {
      for (const [operatorId, host] of this.hosts) {
        const state = await host.snapshot(checkpointId);
        try {
          states[operatorId] = encodeSourceData(state);
        } catch (err) {
          throw new Error(`${host.description}: its enumerator checkpoint is not plain data: ${errorMessage(err)}`);
        }
      }
    } catch (err) {
      return this.post({ kind: 'snapshot-failed', checkpointId, reason: errorMessage(err) });
    }
    this.post({ kind: 'snapshot-done', checkpointId, states }, Object.values(states).map((bytes) => bytes.buffer as ArrayBuffer));
  }
}
