import { Worker } from 'node:worker_threads';

/** Layouts kept, one per job (the oldest goes first): a job's plan does not change shape. */
const DEFAULT_CAPACITY = 100;
/** A layout not computed by then fails (a graph of thousands of vertices): the page lays it out itself. */
const DEFAULT_TIMEOUT_MS = 10_000;

interface Pending {
  readonly resolve: (layout: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The job graph's layout (dagre), computed by the JobManager once per job
 * and served to every dashboard that opens the job (`GET
 * /jobs/:id/plan/layout`): a page then draws the graph as soon as its
 * figures arrive, instead of each browser running dagre (~50–200 ms, cold)
 * on every load. The layout runs on a worker thread of its own, so a large
 * graph never holds up the JobManager's event loop (RPC, heartbeats); the
 * thread is started on the first request and does not keep the process alive.
 */
export class PlanLayouts {
  private readonly cache = new Map<string, { readonly plan: string; readonly layout: Promise<string> }>();
  private readonly pending = new Map<number, Pending>();
  private worker: Worker | undefined;
  private nextId = 0;

  constructor(private readonly options: { readonly capacity?: number; readonly timeoutMs?: number } = {}) {}

  /** The layout of `jobId`'s plan (its JSON text), as JSON text; computed once per job and plan. */
  layoutOf(jobId: string, plan: string): Promise<string> {
    const cached = this.cache.get(jobId);
    if (cached !== undefined && cached.plan === plan) return cached.layout;
    const layout = this.compute(plan);
    this.cache.delete(jobId);
    this.cache.set(jobId, { plan, layout });
    layout.catch(() => {
      if (this.cache.get(jobId)?.layout === layout) this.cache.delete(jobId); // asked again next time
    });
    const capacity = this.options.capacity ?? DEFAULT_CAPACITY;
    while (this.cache.size > capacity) this.cache.delete(this.cache.keys().next().value!);
    return layout;
  }

  /** Ends the thread; layouts being computed fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the JobManager is stopping'));
    await worker?.terminate();
  }

  private compute(plan: string): Promise<string> {
    const worker = this.thread();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`laying out the job graph took more than ${timeoutMs} ms`));
        // dagre cannot be interrupted: a new thread takes the next requests.
        this.restart(worker);
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, plan });
    });
  }

  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(new URL('./plan-layout-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', ({ id, layout, error }: { id: number; layout?: string; error?: string }) => {
      const pending = this.pending.get(id);
      if (pending === undefined) return;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      if (layout !== undefined) pending.resolve(layout);
      else pending.reject(new Error(`cannot lay out the job graph: ${error ?? 'no layout'}`));
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error(`the job graph layout thread failed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return; // replaced or closed: its requests were failed then
      this.worker = undefined;
      this.failAll(new Error(`the job graph layout thread ended (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private restart(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(new Error('the job graph layout thread was restarted after a layout took too long'));
    void worker.terminate();
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}
