import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { CoordinatorThreadData, FromCoordinator, ToCoordinator } from './coordinator-messages.js';
import { runSourceCoordinator } from './source-coordinator-runtime.js';

/** What a SourceCoordinator drives: the coordinator's worker thread, or an InProcessCoordinator. */
export interface CoordinatorThread {
  postMessage(message: ToCoordinator, transfer?: readonly ArrayBuffer[]): void;
  on(event: 'message', listener: (message: FromCoordinator) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  terminate(): Promise<number>;
}

/**
 * The source coordinator of a job whose sources are all built-in, on the
 * JobManager's main thread: their enumerators are the runtime's code, not
 * the job's, so they need not be isolated, and the job is spared a thread
 * (and its start, again at every restart of all its subtasks). It speaks
 * the worker's messages over a MessageChannel — delivered asynchronously,
 * in order, copied — so the SourceCoordinator drives it as it drives a
 * worker; it never exits on its own.
 */
export class InProcessCoordinator extends EventEmitter implements CoordinatorThread {
  private readonly port: MessagePort;
  private readonly coordinatorPort: MessagePort;

  constructor(data: CoordinatorThreadData) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.coordinatorPort = port2;
    port1.on('message', (message: FromCoordinator) => this.emit('message', message));
    // As a worker's own port does not, these keep no JobManager from exiting.
    port1.unref();
    port2.unref();
    runSourceCoordinator(data, port2);
  }

  postMessage(message: ToCoordinator, transfer: readonly ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }

  terminate(): Promise<number> {
    this.port.close();
    this.coordinatorPort.close();
    return Promise.resolve(0);
  }
}
