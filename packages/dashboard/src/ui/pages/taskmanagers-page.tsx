import { usePoll } from '../../client/use-poll.js';
import { taskManagerRows } from '../../model/overview-model.js';
import type { TaskManagersResponse } from '../../model/rest-types.js';
import { routeHash } from '../../model/route.js';
import { FreshnessNote } from '../components/freshness-note.js';
import { ScrollTable } from '../components/tables.js';
import { TASKMANAGERS_PATH } from '../../model/page-requests.js';

/** Every registered TaskManager with its slots and heartbeat. */
export function TaskManagersPage() {
  const taskManagers = usePoll<TaskManagersResponse>(TASKMANAGERS_PATH);
  const rows = taskManagers.data ? taskManagerRows(taskManagers.data.taskmanagers) : [];
  return (
    <section aria-labelledby="tms-title">
      <h1 tabIndex={-1} id="tms-title">TaskManagers</h1>
      <FreshnessNote polled={taskManagers} what="the TaskManagers" />
      <ScrollTable label="TaskManagers">
        <thead><tr><th scope="col">TaskManager</th><th scope="col">Address</th><th scope="col">Slots</th><th scope="col">Free slots</th><th scope="col">Last heartbeat</th></tr></thead>
        <tbody data-live="taskmanagers">
          {rows.length === 0 && taskManagers.data ? <tr><td colSpan={5} class="empty">No TaskManager is registered.</td></tr> : null}
          {rows.map((tm) => (
            <tr key={tm.id} data-taskmanager={tm.id}>
              <td><a href={routeHash({ page: 'taskmanager', taskManagerId: tm.id })}>{tm.id}</a></td>
              <td>{tm.address}</td>
              <td>{tm.slots}</td>
              <td class="num">{tm.freeSlots}</td>
              <td class={tm.late ? 'warn' : ''}>{tm.heartbeat}</td>
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </section>
  );
}
