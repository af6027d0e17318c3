export { CLI_PATH, REPO_ROOT } from './paths.js';
export { freePort } from './free-port.js';
export { waitFor } from './wait-for.js';
export { DaemonProcess, stopAllProcesses, type LogEntry } from './daemon-process.js';
export { runCli, runCliJson, type CliResult } from './run-cli.js';
export { startCluster, startJobManager, startTaskManager, type StartedCluster, type StartedJobManager, type StartedTaskManager } from './cluster.js';
export { parsePrometheusText, type PrometheusFamily } from './prometheus.js';
export { startS3Server, S3RVER_CREDENTIALS, type S3ServerOptions, type StartedS3Server } from './s3-server.js';
export { assertCountsExactlyOnce, committedCounts } from './committed-counts.js';
