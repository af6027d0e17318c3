/** The trigger requests a CheckpointCoordinator queues, and how one waiting for an outcome is answered. */
import type { CompletedCheckpoint } from './checkpoint-types.js';

export interface Deferred {
  resolve(checkpoint: CompletedCheckpoint): void;
  reject(err: Error): void;
}

export type Request =
  | { readonly kind: 'periodic' }
  /** `final`: the job's final checkpoint, which any checkpoint completing as final satisfies. */
  | { readonly kind: 'manual'; readonly done: Deferred; readonly final?: boolean }
  | { readonly kind: 'savepoint'; readonly done: Deferred; readonly targetDirectory: string; readonly terminate: boolean };

/** A request someone waits on (manual checkpoint or savepoint). */
export type AwaitedRequest = Exclude<Request, { readonly kind: 'periodic' }>;

/**
 * Answers a final request with the final checkpoint that completed (true),
 * or does nothing (false): any other request, or none completed yet.
 */
export function answerWithFinal(request: Request, finalCompleted: CompletedCheckpoint | undefined): boolean {
  if (request.kind !== 'manual' || request.final !== true || finalCompleted === undefined) return false;
  request.done.resolve(finalCompleted);
  return true;
}
