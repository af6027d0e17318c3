import { stateTone } from '../../model/jobs-model.js';

/** A job or task state as a coloured badge (the text says it too: colour is never the only cue). */
export function StateBadge({ state }: { state: string }) {
  return <span class={`badge badge-${stateTone(state)}`}>{state}</span>;
}
