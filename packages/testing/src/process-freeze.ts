import { readFileSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/**
 * The fields of /proc/<pid>/stat from the third on (state, ppid, ...; so
 * field n of proc(5) is at index n - 3), or undefined when it cannot be read
 * (gone, or no /proc).
 */
export function processStatFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The scheduler state of process `pid` ("R", "S", "T" for stopped, ...), or undefined. */
export function processState(pid: number): string | undefined {
  return processStatFields(pid)?.[0];
}

/**
 * SIGSTOP to `pid`, resolving once the kernel reports it stopped: kill()
 * only queues the signal, and a busy (or sandboxed) machine may let the
 * process answer one more request before it stops. Rejects after
 * `timeoutMs`, naming the state it saw.
 */
export async function freezeProcess(pid: number, timeoutMs = 5000): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`freezeProcess: ${pid} is not a process id`);
  process.kill(pid, 'SIGSTOP');
  await waitFor(() => {
    const state = processState(pid);
    return state === undefined || state === 'T' || state === 't' ? true : undefined;
  }, { timeoutMs, intervalMs: 2, what: `process ${pid} stopped (state ${processState(pid) ?? 'unknown'})` });
}
