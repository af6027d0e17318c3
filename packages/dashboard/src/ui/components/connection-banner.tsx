import { connection, now } from '../../client/connection.js';
import { leaderNotice } from '../../client/leader-tracker.js';
import { formatAge } from '../../model/format.js';

/** The page-wide line under the header: the JobManager unreachable, or leadership moving. */
export function ConnectionBanner() {
  const { failures, lastSuccess, lastError } = connection.value;
  const notice = leaderNotice.value;
  if (failures >= 2) {
    return (
      <div class="banner banner-error" role="alert" data-connection="unreachable">
        JobManager unreachable ({lastError ?? 'no answer'}){lastSuccess ? `; last answer ${formatAge(now.value - lastSuccess)}` : ''}. Retrying; figures below are not current.
        {notice ? ` ${notice}.` : ''}
      </div>
    );
  }
  if (notice) return <div class="banner banner-warn" role="status">{notice}.</div>;
  return null;
}
