import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DaemonProcess, REPO_ROOT, freePort, stopAllProcesses } from '@rivulet/testing';
import { dockerfileStages, shellArgv, shellCommands } from '../../src/dockerfile/dockerfile-stages.js';

/**
 * The image's HEALTHCHECK program against real daemons: a JobManager whose
 * REST port comes from the environment and a TaskManager whose HTTP port
 * comes from its --config file, found by pid as Docker would find PID 1.
 */
const HEALTHCHECK = fileURLToPath(new URL('../../src/dockerfile/healthcheck.js', import.meta.url));

function run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: stdout.trim(), stderr });
    });
  });
}

function healthcheck(args: readonly string[], script = HEALTHCHECK): Promise<{ code: number; stdout: string }> {
  return run(process.execPath, [script, ...args]);
}

/**
 * The esbuild command of deploy/Dockerfile's build stage, run here as the
 * image build would (`pnpm --filter @rivulet/cli exec esbuild` is the CLI's
 * esbuild), with /src/ the repository and /out/ `outDir`.
 */
async function bundleAsTheDockerfileDoes(outDir: string): Promise<string> {
  const build = dockerfileStages(readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8')).find((stage) => stage.name === 'build')!;
  const argv = build.instructions
    .filter(({ instruction }) => instruction.getKeyword() === 'RUN')
    .flatMap(({ instruction }) => shellCommands(instruction).map(shellArgv))
    .find((words) => words.includes('esbuild'));
  assert.ok(argv, 'no esbuild command in the build stage');
  assert.deepEqual(argv.slice(0, 5), ['pnpm', '--filter', '@rivulet/cli', 'exec', 'esbuild']);
  let outfile = '';
  const args = argv.slice(5).map((arg) => {
    if (arg.startsWith('/src/')) return join(REPO_ROOT, arg.slice('/src/'.length));
    if (arg.startsWith('--outfile=/out/')) {
      outfile = join(outDir, arg.slice('--outfile=/out/'.length));
      return `--outfile=${outfile}`;
    }
    return arg;
  });
  const result = await run(join(REPO_ROOT, 'packages', 'cli', 'node_modules', '.bin', 'esbuild'), args);
  assert.equal(result.code, 0, result.stderr);
  return outfile;
}

describe('the image HEALTHCHECK program', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-healthcheck-'));
  let jobManager: DaemonProcess;
  let taskManager: DaemonProcess;
  let restPort: number;
  let httpPort: number;

  before(async () => {
    restPort = await freePort();
    httpPort = await freePort();
    const jmConfig = join(dir, 'jobmanager.yaml');
    writeFileSync(jmConfig, 'jobmanager.bind-host: 127.0.0.1\nrest.bind-address: 127.0.0.1\njobmanager.rpc.port: 0\n');
    const tmConfig = join(dir, 'taskmanager.yaml');
    writeFileSync(tmConfig, `taskmanager:\n  bind-host: 127.0.0.1\n  http:\n    port: ${httpPort}\ntaskmanager.tmp.dirs: ${dir}\n`);
    const jm = await DaemonProcess.start('jobmanager', ['jobmanager', '--config', jmConfig], {
      readyMessage: 'JobManager running',
      env: { RIVULET_REST_PORT: String(restPort) },
    });
    jobManager = jm.daemon;
    const rpcAddress = String(jm.ready['rpcAddress']);
    const started = await DaemonProcess.start('taskmanager', ['taskmanager', '--config', tmConfig, '--jobmanager', rpcAddress, '--rpc-port', '0', '--data-port', '0'], {
      readyMessage: 'TaskManager running',
    });
    taskManager = started.daemon;
  });

  after(async () => {
    jobManager?.signal('SIGCONT');
    await stopAllProcesses();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a JobManager healthy on the REST port its environment set', async () => {
    const result = await healthcheck(['--pid', String(jobManager.pid)]);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.stdout, `healthy: jobmanager (pid ${jobManager.pid}) at http://127.0.0.1:${restPort}/healthz, port from environment RIVULET_REST_PORT`);
  });

  it('reports a TaskManager healthy on the HTTP port its config file set', async () => {
    const result = await healthcheck(['--pid', String(taskManager.pid)]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, new RegExp(`^healthy: taskmanager \\(pid ${taskManager.pid}\\) at http://127\\.0\\.0\\.1:${httpPort}/healthz, port from config file .*taskmanager\\.yaml$`));
  });

  it('works as the single file deploy/Dockerfile bundles it to', async () => {
    const bundle = await bundleAsTheDockerfileDoes(dir);
    const result = await healthcheck(['--pid', String(jobManager.pid)], bundle);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /^healthy: jobmanager /);
  });

  it('reports a daemon that does not answer unhealthy (exit 1) within its timeout', async () => {
    await jobManager.freeze();
    try {
      const started = Date.now();
      const result = await healthcheck(['--pid', String(jobManager.pid), '--timeout-ms', '500']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, new RegExp(`^unhealthy: jobmanager \\(pid ${jobManager.pid}\\) at http://127\\.0\\.0\\.1:${restPort}/healthz`));
      assert.ok(Date.now() - started < 10_000);
    } finally {
      jobManager.signal('SIGCONT');
    }
  });

  it('refuses a process that is not a Rivulet daemon, and bad arguments', async () => {
    const self = await healthcheck(['--pid', String(process.pid)]);
    assert.equal(self.code, 1);
    assert.equal(self.stdout, `unhealthy: process ${process.pid} is not "rivulet jobmanager" or "rivulet taskmanager"`);
    const usage = await healthcheck(['--pid', 'one']);
    assert.equal(usage.code, 1);
    assert.match(usage.stdout, /unexpected argument "--pid": usage: healthcheck \[--pid PID\] \[--timeout-ms MS\]/);
  });

  it('reports a stopped daemon unhealthy', async () => {
    const pid = taskManager.pid;
    await taskManager.stop();
    const result = await healthcheck(['--pid', String(pid)]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^unhealthy: cannot read process ${pid}`));
  });
});
