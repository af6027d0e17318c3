/**
 * Environment variables a daemon is started with, unless already set:
 * `rivulet local` and the test harness add them; the container image sets
 * them with ENV. They must be in the environment before the process starts.
 *
 * MALLOC_ARENA_MAX: glibc's allocator gives threads their own arenas (up to
 * 8 per core) and keeps what they freed there for reuse. A TaskManager starts
 * a thread for every job in every slot and ends it with the job; each new
 * thread took an arena, and the memory that ended threads had freed stayed
 * resident, split across up to 16 arenas on 2 cores. Two arenas keep it in
 * fewer places (docs/operations.md, "Memory of a long-running cluster", has
 * the measurements). The JobManager's few long-lived threads are indifferent
 * to it.
 */
export const DAEMON_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
