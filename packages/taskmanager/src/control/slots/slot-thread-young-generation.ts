import { setFlagsFromString } from 'node:v8';

/**
 * The daemons start with a small young generation for their main thread
 * (`--max-semi-space-size`, see @rivulet/common's DAEMON_NODE_FLAGS): a
 * control thread allocates in bursts, and V8 otherwise grows its semi-spaces
 * up to 16 MiB each and keeps them until a full GC finds the allocation rate
 * low — up to 32 MiB resident that comes and goes with timing, not with work.
 * That flag is per process, though, and would also apply to every isolate
 * started after it: slot threads, whose record loops allocate hard and pay
 * for a small nursery with more scavenges and promotions. V8 reads the flag
 * when an isolate is created, so clearing it here — once the main isolate
 * exists, before the first slot thread — gives slot threads V8's own default
 * young generation (as before) while the control thread keeps its cap.
 */
let applied = false;

export function defaultYoungGenerationForSlotThreads(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--max-semi-space-size=0');
}
