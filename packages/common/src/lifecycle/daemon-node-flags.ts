/**
 * Most a daemon's main thread lets V8 grow each of its young generation's two
 * semi-spaces to, in MiB (V8's default on 64-bit: 16). A JobManager's or
 * TaskManager's main thread is a control thread: it allocates in bursts (a
 * submission, a deployment, a scrape) and V8 grows the semi-spaces after
 * scavenges that find much alive, then keeps them until a full GC sees a low
 * allocation rate. So up to 32 MiB of a daemon's resident memory came and
 * went with timing rather than with work (measured: a TaskManager's new space
 * between 1 and 32 MiB from one sample to the next over 500 jobs). Capped at
 * 4, the control thread pays with more, smaller scavenges and objects that
 * reach the old generation sooner; it is not on the records' path. Worker
 * threads started later get the cap too (V8 flags are per process): the
 * TaskManager gives its slot threads V8's default back
 * (taskmanager/src/control/slots/slot-thread-young-generation.ts); the
 * JobManager's source-coordinator and layout threads keep it.
 */
export const DAEMON_MAX_SEMI_SPACE_MB = 4;

/**
 * The Node.js flags a daemon is started with (before the CLI's path):
 * `rivulet local` and the test harness pass them; the container image sets
 * them in NODE_OPTIONS. They must be given at start: V8 sizes the main
 * thread's heap before any code runs.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${DAEMON_MAX_SEMI_SPACE_MB}`];
