/**
 * Runs `work` for every item with at most `concurrency` calls in flight, in
 * the items' order. The first failure aborts the signal the other calls got,
 * starts nothing more, waits until every call in flight has settled (none
 * left running behind the caller's back) and then rejects with that failure.
 * The caller's `signal` firing counts as a failure with its reason.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be an integer >= 1, got ${String(concurrency)}`);
  signal?.throwIfAborted();
  const controller = new AbortController();
  let next = 0;
  let failure: { error: unknown } | undefined;
  const onAbort = (): void => {
    if (failure !== undefined) return;
    failure = { error: signal!.reason };
    controller.abort(signal!.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item, controller.signal);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          controller.abort(error);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== undefined) throw failure.error;
}
