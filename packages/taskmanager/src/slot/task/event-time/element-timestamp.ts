/**
 * The event timestamp of the record an operator chain is processing now
 * (Flink's StreamRecord timestamp), one per task: records stay plain values
 * and carry no timestamp of their own inside a chain.
 *
 * Whoever starts processing a record sets `value` (NaN: the record has no
 * timestamp): the task loop for each record from its input gate and before
 * each source batch, a timestamp assigner for each record it passes on, a
 * keyed operator before it fires a timer (the timer's time for event time,
 * none for processing time). Whoever needs it reads it: `ctx.timestamp()` of
 * process functions and the record writers at the chain's end, which carry
 * it beside the batch to the next task. So map, filter and flatMap outputs
 * keep their input's timestamp, as in Flink, at the cost of nothing.
 */
export class ElementTimestamp {
  value = NaN;

  /** The timestamp, or undefined when the record has none (Flink's hasTimestamp() == false). */
  get(): number | undefined {
    const value = this.value;
    return value === value ? value : undefined;
  }
}
