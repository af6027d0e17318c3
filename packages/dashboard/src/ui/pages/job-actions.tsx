import { useState } from 'preact/hooks';
import { RestError, getJson, sendAction } from '../../client/rest-client.js';
import type { SavepointStatusResponse, TriggerResponse } from '../../model/rest-types.js';

type Action = 'cancel' | 'stop' | 'savepoint';

const LABELS: Record<Action, string> = { cancel: 'Cancel job', stop: 'Stop with savepoint', savepoint: 'Trigger savepoint' };

/** Follows an asynchronous savepoint (Flink's trigger id) to its end. */
async function awaitSavepoint(jobId: string, requestId: string): Promise<string> {
  for (;;) {
    const status = await getJson<SavepointStatusResponse>(`/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(requestId)}`);
    if (status.status.id === 'COMPLETED') {
      const failure = status.operation?.['failure-cause']?.['stack-trace'];
      if (failure) throw new RestError(500, failure);
      return status.operation?.location ?? '';
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Cancel, stop with savepoint, savepoint — each asks for confirmation
 * first (a savepoint directory may be given; empty: the cluster's
 * execution.checkpointing.savepoint-dir), then reports what happened.
 * Requests go through sendAction, where the client credential will go.
 */
export function JobActions({ jobId, running }: { jobId: string; running: boolean }) {
  const [pending, setPending] = useState<Action | undefined>(undefined);
  const [directory, setDirectory] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const path = `/jobs/${encodeURIComponent(jobId)}`;
  const run = async (action: Action): Promise<void> => {
    setBusy(true);
    setOutcome(undefined);
    try {
      if (action === 'cancel') {
        await sendAction('PATCH', `${path}?mode=cancel`);
        setOutcome({ ok: true, text: 'Cancellation requested.' });
      } else {
        const body = action === 'stop' ? { targetDirectory: directory || undefined, drain: false } : { 'target-directory': directory || undefined, 'cancel-job': false };
        const trigger = await sendAction<TriggerResponse>('POST', action === 'stop' ? `${path}/stop` : `${path}/savepoints`, body);
        setOutcome({ ok: true, text: 'Savepoint in progress…' });
        const location = await awaitSavepoint(jobId, trigger?.['request-id'] ?? '');
        setOutcome({ ok: true, text: `${action === 'stop' ? 'Stopped with savepoint' : 'Savepoint written'}: ${location}` });
      }
    } catch (err) {
      setOutcome({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
      setPending(undefined);
    }
  };
  return (
    <div class="actions">
      <div class="toolbar">
        {(['savepoint', 'stop', 'cancel'] as const).map((action) => (
          <button key={action} type="button" class={action === 'cancel' ? 'danger' : ''} disabled={!running || busy} onClick={() => setPending(action)} data-action={action}>
            {LABELS[action]}
          </button>
        ))}
      </div>
      {pending ? (
        <div role="alertdialog" aria-label={`Confirm: ${LABELS[pending]}`}>
        <form
          class="confirm"
          onSubmit={(e) => {
            e.preventDefault();
            void run(pending);
          }}
        >
          <p>{pending === 'cancel' ? 'Cancel this job? Its tasks stop at once; nothing is saved.' : pending === 'stop' ? 'Stop this job after a savepoint? It ends once the savepoint completed (and runs on if it fails).' : 'Write a savepoint of this job? It keeps running.'}</p>
          {pending !== 'cancel' ? (
            <label>
              Savepoint directory (empty: the cluster's default)
              <input type="text" value={directory} onInput={(e) => setDirectory((e.target as HTMLInputElement).value)} placeholder="file:///… or s3://…" />
            </label>
          ) : null}
          <div class="toolbar">
            <button type="submit" class={pending === 'cancel' ? 'danger' : 'primary'} disabled={busy} autoFocus data-confirm={pending}>{LABELS[pending]}</button>
            <button type="button" onClick={() => setPending(undefined)}>Keep running</button>
          </div>
        </form>
        </div>
      ) : null}
      {outcome ? <p class={`note ${outcome.ok ? 'note-ok' : 'note-unreachable'}`} role="status">{outcome.text}</p> : null}
    </div>
  );
}
