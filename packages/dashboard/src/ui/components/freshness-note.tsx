import { formatAge } from '../../model/format.js';
import type { Polled } from '../../client/use-poll.js';
import { now } from '../../client/connection.js';

/**
 * Says how current a panel's data is: nothing while live, "stale" or
 * "unreachable" with the age of what is shown, so old figures are never
 * taken for current ones.
 */
export function FreshnessNote<T>({ polled, what }: { polled: Polled<T>; what: string }) {
  if (polled.freshness === 'live') return null;
  if (polled.freshness === 'loading') return <p class="note" role="status">Loading {what}…</p>;
  const age = polled.fetchedAt === undefined ? 'nothing received yet' : `shown as of ${formatAge(now.value - polled.fetchedAt)}`;
  const reason = polled.error?.answered ? polled.error.message : 'the JobManager does not answer';
  return (
    <p class={`note note-${polled.freshness}`} role="status" data-freshness={polled.freshness}>
      {polled.freshness === 'stale' ? 'Stale' : 'Not updating'}: {what} {age} ({reason}).
    </p>
  );
}
