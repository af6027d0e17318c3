import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  DaemonProcess,
  REPO_ROOT,
  freePort,
  runCli,
  s3rverChecksumSettings,
  settingsEnvironment,
  startEtcd,
  startS3Server,
  stopAllProcesses,
  waitFor,
  type StartedEtcd,
  type StartedS3Server,
} from '@rivulet/testing';
import { readComposeFile, serviceCommand, serviceEnvironment, serviceMounts, type ComposeFile } from '../../src/compose/compose-file.js';
import { daemonServiceOf, type DaemonService } from '../../src/compose/rivulet-services.js';
import { ContainerRoot, rewriteConfigText, rewriteEnvironment, type HostMapping } from '../../src/compose/local-stand-ins.js';

/**
 * Parity: docker-compose.yml's topology started as local processes — the
 * same `rivulet` commands and RIVULET_* environment as its services, with a
 * real etcd (Debian's etcd 3.4) in etcd's place and s3rver in MinIO's.
 *
 * What the test changes, and only that:
 * - addresses: `etcd:2379` and `minio:9000` become the stand-ins'
 *   127.0.0.1 ports; an address or host value that is a service name (or
 *   0.0.0.0) becomes 127.0.0.1 — in the environment and the mounted config file;
 * - the certificates: certs-init's command (deploy/certs/create-certificates.sh)
 *   runs first, as compose runs it before the daemons, and the security keys'
 *   file paths point into the containers' root;
 * - ports: containers each have their own network, processes on one host do
 *   not, so every daemon gets its ports by RIVULET_*_PORT: gRPC and data
 *   ports 0 (any free port), HTTP ports free ports chosen here (the
 *   HEALTHCHECK needs to know them);
 * - data directories: the containers' file system is a temporary folder
 *   (volumes and bind mounts linked at their targets), each TaskManager gets
 *   its own taskmanager.tmp.dirs there;
 * - MinIO's credentials come from MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, the
 *   variables the compose file reads, set to s3rver's;
 * - s3rver's exceptions (checksums only when required, @rivulet/testing's
 *   s3rverChecksumSettings) are added to every process's environment: MinIO
 *   takes the defaults the compose file leaves in place, s3rver does not.
 * The job is submitted as README's `docker compose run --rm cli run
 * /examples/wordcount.ts` does, and its output checked against a word count
 * computed here. Then the leading JobManager is killed, as README shows.
 */
const COMPOSE_PATH = join(REPO_ROOT, 'docker-compose.yml');
const S3RVER_EXCEPTIONS = settingsEnvironment(s3rverChecksumSettings());
const HEALTHCHECK = fileURLToPath(new URL('../../src/dockerfile/healthcheck.js', import.meta.url));
const SUBMIT = 'docker compose run --rm cli run /examples/wordcount.ts';

interface RunningDaemon {
  readonly service: DaemonService;
  readonly process: DaemonProcess;
  readonly rpcAddress: string;
}

interface ClusterJson {
  leader: { rpcAddress: string };
  standbys: string[];
  taskmanagers: Array<{ id: string }>;
  slotsTotal: number;
}

/** Word count's reference result: the same tokenizer as examples/wordcount.ts. */
function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    for (const word of line.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

function healthcheck(pid: number): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [HEALTHCHECK, '--pid', String(pid)], { timeout: 20_000 }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: stdout.trim() });
    });
  });
}

describe('docker-compose.yml parity: its topology as local processes', { timeout: 120_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rivulet-compose-parity-'));
  const root = new ContainerRoot(join(tmp, 'root'));
  let compose: ComposeFile;
  let etcd: StartedEtcd;
  let s3: StartedS3Server;
  let mapping: HostMapping;
  const daemons: RunningDaemon[] = [];

  /** Runs `rivulet ARGS` as the cli service: its environment, in its working directory. */
  const cli = (args: readonly string[], timeoutMs = 30_000) => {
    const service = compose.services['cli']!;
    const env = { ...rewriteEnvironment(serviceEnvironment(service), mapping), ...S3RVER_EXCEPTIONS };
    return runCli(root.localArgs(args), { env, cwd: root.pathOf(service.working_dir ?? '/'), timeoutMs });
  };

  const cluster = async (): Promise<ClusterJson> => {
    const result = await cli(['cluster', '--output', 'json']);
    if (result.code !== 0) throw new Error(`rivulet cluster exited ${result.code}: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout) as ClusterJson;
  };

  before(async () => {
    // What `docker compose up` reads: MINIO_ROOT_USER / MINIO_ROOT_PASSWORD from the environment.
    compose = readComposeFile(COMPOSE_PATH, { MINIO_ROOT_USER: 'S3RVER', MINIO_ROOT_PASSWORD: 'S3RVER' });
    const bucket = serviceCommand('minio-init', compose.services['minio-init']!)[2]!.split('/')[1]!;
    [etcd, s3] = await Promise.all([startEtcd(), startS3Server({ buckets: [bucket] })]);
    mapping = {
      endpoints: { 'etcd:2379': `127.0.0.1:${etcd.clientPort}`, 'minio:9000': `127.0.0.1:${s3.port}` },
      serviceNames: Object.keys(compose.services),
      paths: (containerPath) => root.pathOf(containerPath),
    };

    const services = Object.keys(compose.services).flatMap((name) => daemonServiceOf(compose, name) ?? []);
    assert.equal(services.length, 5, 'two JobManagers and three TaskManagers');
    // The mounted config files, with their addresses rewritten, stand in at the same container paths.
    const replace = new Map<string, string>();
    for (const service of services) {
      if (!service.configFile || replace.has(service.configFile.hostPath)) continue;
      const copy = join(tmp, `config-${replace.size}.yaml`);
      writeFileSync(copy, rewriteConfigText(readFileSync(service.configFile.hostPath, 'utf8'), mapping));
      replace.set(service.configFile.hostPath, copy);
    }
    for (const name of [...services.map((s) => s.name), 'cli', 'certs-init']) root.mount(name, serviceMounts(compose, name), replace);
    // certs-init, as compose runs it before any daemon: its entrypoint and command with container paths made local.
    const init = compose.services['certs-init']!;
    const [shell, ...initArgs] = [...(init.entrypoint as readonly string[]), ...serviceCommand('certs-init', init)];
    await new Promise<void>((resolve, reject) => {
      execFile(shell!, root.localArgs(initArgs), { timeout: 30_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`certs-init failed: ${stderr}`)) : resolve()));
    });

    const start = async (service: DaemonService): Promise<RunningDaemon> => {
      const ports =
        service.role === 'jobmanager'
          ? { RIVULET_JOBMANAGER_RPC_PORT: '0', RIVULET_REST_PORT: String(await freePort()) }
          : {
              RIVULET_TASKMANAGER_RPC_PORT: '0',
              RIVULET_TASKMANAGER_DATA_PORT: '0',
              RIVULET_TASKMANAGER_HTTP_PORT: String(await freePort()),
              RIVULET_TASKMANAGER_TMP_DIRS: join(tmp, service.name),
            };
      const env = { ...rewriteEnvironment(service.env, mapping), ...S3RVER_EXCEPTIONS, ...ports };
      const ready = service.role === 'jobmanager' ? 'JobManager running' : 'TaskManager running';
      const { daemon, ready: line } = await DaemonProcess.start(service.name, [service.role, ...root.localArgs(service.args)], { readyMessage: ready, env, timeoutMs: 40_000 });
      return { service, process: daemon, rpcAddress: String(line['rpcAddress'] ?? '') };
    };
    // All at once: compose waits for healthy JobManagers before it starts TaskManagers, but a
    // TaskManager retries its registration until a leader appears, so the order only costs time here.
    daemons.push(...(await Promise.all(services.map(start))));
  });

  after(async () => {
    await stopAllProcesses();
    await Promise.all([etcd?.close(), s3?.close()]);
    rmSync(tmp, { recursive: true, force: true });
    rmSync(root.volumesDir, { recursive: true, force: true });
  });

  it('elects one leader, one standby, and registers every TaskManager slot', async () => {
    const expectedSlots = 3 * 2;
    const overview = await waitFor(async () => {
      const json = await cluster();
      return json.slotsTotal === expectedSlots ? json : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, what: `${expectedSlots} slots at the leader` });
    const jobManagers = daemons.filter((d) => d.service.role === 'jobmanager').map((d) => d.rpcAddress).sort();
    assert.deepEqual([overview.leader.rpcAddress, ...overview.standbys].sort(), jobManagers);
    assert.equal(overview.standbys.length, 1);
    assert.deepEqual(overview.taskmanagers.map((tm) => tm.id).sort(), ['taskmanager-1', 'taskmanager-2', 'taskmanager-3']);
  });

  it('every daemon passes the services\' HEALTHCHECK', async () => {
    const command = compose.services['jobmanager-1']!.healthcheck!.test;
    assert.deepEqual(command, ['CMD', 'node', '/opt/rivulet/healthcheck.mjs'], 'the image path stands for the compiled healthcheck');
    const results = await Promise.all(daemons.map(async (d) => ({ name: d.service.name, ...(await healthcheck(d.process.pid)) })));
    for (const { name, code, stdout } of results) assert.equal(code, 0, `${name}: ${stdout}`);
  });

  it('runs word count submitted as README says, with the expected counts in the shared output volume', async () => {
    assert.ok(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').includes(SUBMIT), `README.md shows "${SUBMIT}"`);
    const args = SUBMIT.replace('docker compose run --rm cli ', '').split(' ');
    // The job keeps its bundle (and checkpoints) in the bucket while it runs and removes them when it
    // ends: watch the stand-in's folder of s3://rivulet/checkpoints/ during the run.
    const bucketDir = join(s3.dataDir, 'rivulet', 'checkpoints');
    const stored = new Set<string>();
    const watcher = setInterval(() => {
      try {
        for (const entry of readdirSync(bucketDir, { recursive: true }) as string[]) stored.add(entry);
      } catch {
        // not created yet
      }
    }, 20);
    const run = await cli(args, 60_000).finally(() => clearInterval(watcher));
    assert.equal(run.code, 0, `rivulet ${args.join(' ')}: ${run.stderr}\n${run.stdout}`);
    assert.match(run.stdout, /Job FINISHED/);

    const expected = referenceCounts(readFileSync(join(REPO_ROOT, 'examples', 'data', 'hamlet.txt'), 'utf8'));
    const output = root.pathOf('/.rivulet/output/wordcount');
    const parts = readdirSync(output).filter((f) => f.startsWith('part-'));
    assert.ok(parts.length > 0, `no part files in ${output}`);
    const seen = new Map<string, number[]>();
    for (const part of parts) {
      for (const line of readFileSync(join(output, part), 'utf8').split('\n')) {
        if (line === '') continue;
        const { word, count } = JSON.parse(line) as { word: string; count: number };
        seen.set(word, [...(seen.get(word) ?? []), count]);
      }
    }
    assert.equal(seen.size, expected.size, 'distinct words');
    for (const [word, total] of expected) {
      const counts = (seen.get(word) ?? []).sort((a, b) => a - b);
      assert.deepEqual(counts, Array.from({ length: total }, (_, i) => i + 1), `running counts of "${word}"`);
    }
    // The job went through MinIO's stand-in: its bundle was stored in the bucket.
    assert.ok([...stored].some((path) => /\/bundle\/[0-9a-f]{64}\.mjs\._S3rver_object$/.test(path)), `no job bundle appeared under s3://rivulet/checkpoints/: ${[...stored].join(', ')}`);
  });

  it('a standby takes over when the leading JobManager is killed, and the running job goes on', async () => {
    // README's failover walk-through: a longer job, detached, then the leader killed.
    const submit = await cli(['run', '/examples/running-aggregation.ts', '--detached', '--output', 'json', '--', '--records', '200000000'], 60_000);
    assert.equal(submit.code, 0, submit.stderr);
    const { jobId } = JSON.parse(submit.stdout) as { jobId: string };
    const state = async (): Promise<string> => {
      const status = await cli(['status', jobId, '--output', 'json']);
      if (status.code !== 0) throw new Error(`rivulet status exited ${status.code}: ${status.stderr.trim()}`);
      return (JSON.parse(status.stdout) as { state: string }).state;
    };
    await waitFor(async () => (await state()) === 'RUNNING', { timeoutMs: 30_000, intervalMs: 200, what: `job ${jobId} RUNNING` });

    const before = await cluster();
    const leader = daemons.find((d) => d.rpcAddress === before.leader.rpcAddress);
    assert.ok(leader, `the leader ${before.leader.rpcAddress} is none of the started JobManagers`);
    leader.process.signal('SIGKILL');
    await leader.process.exited;
    const after = await waitFor(async () => {
      const json = await cluster();
      return json.leader.rpcAddress !== before.leader.rpcAddress && json.slotsTotal === 6 ? json : undefined;
    }, { timeoutMs: 40_000, intervalMs: 200, what: 'a new leader with every slot' });
    assert.equal(after.leader.rpcAddress, before.standbys[0]);
    // The new leader recovers the job from etcd and adopts its tasks: it runs on, it does not fail.
    await waitFor(async () => {
      const now = await state();
      if (now === 'FAILED' || now === 'CANCELED') throw new Error(`job ${jobId} ended ${now} after the failover`);
      return now === 'RUNNING';
    }, { timeoutMs: 20_000, intervalMs: 200, what: `job ${jobId} RUNNING under the new leader` });
    const cancel = await cli(['cancel', jobId]);
    assert.equal(cancel.code, 0, cancel.stderr);
  });
});
