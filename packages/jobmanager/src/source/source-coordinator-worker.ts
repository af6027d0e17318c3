/**
 * Entry of a job's source coordinator thread (see coordinator-messages.ts):
 * imports the job bundle and compiles the job as the TaskManagers do (when
 * a source needs it), and hosts the split enumerator of every source
 * operator — a fromSource operator's from the bundle, a built-in source's
 * from the runtime. Runs user code only here, never on the JobManager's main
 * thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { isJobDefinition, type CompiledJob, type JobDefinition, type Source, type SourceSplit } from '@rivulet/api';
import {
  CHECKPOINT_OF_READER_HELD_SPLITS,
  builtinSourceNeedsBundle,
  createBuiltinSource,
  decodeReaderEvent,
  decodeSourceData,
  encodeOperatorEvent,
  encodeSourceData,
  errorMessage,
} from '@rivulet/common/task-runtime';
import type { CoordinatorThreadData, FromCoordinator, ToCoordinator } from './coordinator-messages.js';
import { EnumeratorHost } from './enumerator-host.js';

const data = workerData as CoordinatorThreadData;
const port = parentPort!;
const post = (message: FromCoordinator, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const hosts = new Map<string, EnumeratorHost>();
const running = new Int32Array(data.running);

/** The job's functions as compiled from its bundle; undefined when it could not be (reported). */
async function compileBundle(bundlePath: string): Promise<CompiledJob['functions'] | undefined> {
  let definition: JobDefinition;
  try {
    const module = (await import(pathToFileURL(bundlePath).href)) as { default?: unknown };
    if (!isJobDefinition(module.default)) throw new Error('the job bundle has no job definition as its default export');
    definition = module.default;
  } catch (err) {
    post({ kind: 'failed', operatorId: undefined, reason: `the job bundle failed to load in the source coordinator: ${errorMessage(err)}` });
    return undefined;
  }
  try {
    return definition.compile(data.compile).functions;
  } catch (err) {
    post({ kind: 'failed', operatorId: undefined, reason: `the job's build function failed in the source coordinator: ${errorMessage(err)}` });
    return undefined;
  }
}

async function main(): Promise<void> {
  let functions: CompiledJob['functions'] | undefined;
  if (data.sources.some((spec) => !spec.builtin || builtinSourceNeedsBundle(spec.builtin.variant))) {
    if (data.bundlePath === undefined) return post({ kind: 'failed', operatorId: undefined, reason: 'the source coordinator was started without the job bundle its sources need' });
    functions = await compileBundle(data.bundlePath);
    if (!functions) return;
  }
  for (const spec of data.sources) {
    const fns = functions?.get(spec.operatorId);
    let source: Source<unknown, SourceSplit, unknown> | undefined;
    if (spec.builtin) {
      try {
        const elements = fns?.kind === 'source' ? fns.elements : undefined;
        source = createBuiltinSource({ operatorId: spec.operatorId, name: spec.name, ...spec.builtin, elements }) as Source<unknown, SourceSplit, unknown>;
      } catch (err) {
        return post({ kind: 'failed', operatorId: spec.operatorId, reason: errorMessage(err) });
      }
    } else {
      source = fns?.kind === 'source' ? fns.source : undefined;
    }
    if (!source) {
      return post({ kind: 'failed', operatorId: spec.operatorId, reason: `source '${spec.name}' (${spec.operatorId}) has no Source object in the job bundle as built on the JobManager (the job's build must be deterministic)` });
    }
    const index = hosts.size + 1;
    hosts.set(spec.operatorId, new EnumeratorHost(spec.operatorId, spec.name, spec.parallelism, source, {
      toReader: (subtask, attemptId, event) => {
        const bytes = encodeOperatorEvent(event);
        post({ kind: 'to-reader', operatorId: spec.operatorId, subtask, attemptId, event: bytes }, [bytes.buffer as ArrayBuffer]);
      },
      failed: (reason) => post({ kind: 'failed', operatorId: spec.operatorId, reason }),
    }, (active) => Atomics.store(running, 0, active ? index : 0)));
  }
  for (const spec of data.sources) {
    const host = hosts.get(spec.operatorId)!;
    let restored: { state: unknown } | undefined;
    // A built-in source's snapshot from before it had an enumerator: every split is in its readers' state.
    if (spec.restoredState === null && spec.builtin) restored = { state: CHECKPOINT_OF_READER_HELD_SPLITS };
    if (spec.restoredState) {
      try {
        restored = { state: decodeSourceData(spec.restoredState) };
      } catch (err) {
        return post({ kind: 'failed', operatorId: spec.operatorId, reason: `${host.description}: its enumerator checkpoint cannot be decoded: ${errorMessage(err)}` });
      }
    }
    await host.start(restored);
  }
  post({ kind: 'started' });
}

async function snapshot(checkpointId: number): Promise<void> {
  const states: Record<string, Uint8Array> = {};
  try {
    for (const [operatorId, host] of hosts) {
      const state = await host.snapshot(checkpointId);
      try {
        states[operatorId] = encodeSourceData(state);
      } catch (err) {
        throw new Error(`${host.description}: its enumerator checkpoint is not plain data: ${errorMessage(err)}`);
      }
    }
  } catch (err) {
    return post({ kind: 'snapshot-failed', checkpointId, reason: errorMessage(err) });
  }
  post({ kind: 'snapshot-done', checkpointId, states }, Object.values(states).map((bytes) => bytes.buffer as ArrayBuffer));
}

const started = main();

port.on('message', (message: ToCoordinator) => {
  switch (message.kind) {
    case 'ping':
      post({ kind: 'pong', sequence: message.sequence });
      return;
    case 'close':
      void started
        .then(() => Promise.allSettled([...hosts.values()].map((host) => host.close())))
        .finally(() => post({ kind: 'closed' }));
      return;
  }
  void started.then(() => {
    switch (message.kind) {
      case 'reader-event': {
        const host = hosts.get(message.operatorId);
        if (!host) return;
        let event;
        try {
          event = decodeReaderEvent(message.event);
        } catch (err) {
          return post({ kind: 'failed', operatorId: message.operatorId, reason: `${host.description}: an undecodable reader event: ${errorMessage(err)}` });
        }
        return host.handleReaderEvent(event, message.attemptId);
      }
      case 'subtask-reset':
        return hosts.get(message.operatorId)?.subtaskReset(message.subtask, message.restoredFrom);
      case 'reader-adopted':
        return hosts.get(message.operatorId)?.adoptReader(message.subtask, message.attemptId, message.location);
      case 'snapshot':
        return snapshot(message.checkpointId);
      case 'checkpoint-complete':
        for (const host of hosts.values()) void host.checkpointComplete(message.checkpointId);
        return;
    }
  });
});
