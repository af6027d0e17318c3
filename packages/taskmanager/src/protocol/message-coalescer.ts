/**
 * One side of a slot's MessagePort, sending its messages in arrays: every
 * `postMessage` wakes the other thread (and, on a busy machine, lets the
 * scheduler run it before the sender), so messages that can wait a moment
 * (credits, the control thread's hand-overs) are gathered and leave
 * together at the end of the current turn of the event loop, or earlier
 * with the next message that cannot wait.
 *
 * Invariant: messages arrive in the order they were given, whichever of
 * `defer` or `now` was used; nothing deferred waits past the current turn.
 */
export class MessageCoalescer<M> {
  private pending: M[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly postArray: (messages: M[], transfer: ArrayBuffer[]) => void) {}

  /** Sent with the next `now`, or at the end of this turn of the event loop. */
  defer(message: M, transfer?: readonly ArrayBuffer[]): void {
    this.add(message, transfer);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  /** Sent at once, after everything deferred before it. */
  now(message: M, transfer?: readonly ArrayBuffer[]): void {
    this.add(message, transfer);
    this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const messages = this.pending;
    const transfer = this.transfer;
    this.pending = [];
    this.transfer = [];
    this.postArray(messages, transfer);
  }

  private add(message: M, transfer: readonly ArrayBuffer[] | undefined): void {
    this.pending.push(message);
    if (transfer !== undefined) for (const buffer of transfer) this.transfer.push(buffer);
  }
}
