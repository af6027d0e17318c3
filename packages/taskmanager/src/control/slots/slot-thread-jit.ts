import { setFlagsFromString } from 'node:v8';

/**
 * V8's budget, in bytes of bytecode, for everything inlined into one
 * optimized function (V8's default is 920). A slot thread's hot loop is a
 * source's emit loop or a task's input loop with the whole operator chain
 * behind it (user map/filter/key functions, the record writer, the
 * partition's emit, the keyed backend): under the default budget V8 stops
 * inlining part way down that chain and each record pays the calls. With
 * 1,500 the pipeline job's chain inlines; measured on the 2-core machines
 * (docs/benchmarks.md, "Seventh round"): ~170 -> ~110 ns of TaskManager CPU
 * per record; 3,000 and 6,000 gave no more.
 */
export const SLOT_THREAD_INLINING_BUDGET_BYTES = 1500;

let applied = false;

/**
 * Raises V8's inlining budget for this process, once, before the first slot
 * thread starts (V8 flags are per process and read when a function is
 * optimized, so threads started later use it). The control thread's code is
 * affected too; its loops are short and it is not the hot path.
 */
export function tuneJitForSlotThreads(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${SLOT_THREAD_INLINING_BUDGET_BYTES}`);
}
