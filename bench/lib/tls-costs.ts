import { readFileSync } from 'node:fs';
import { CHANNEL_OPTIONS, callUnary, grpcChannelCredentials, grpcChannelOptions, rivuletProto, type TlsMaterial, type pb } from '@rivulet/common';
import { startTaskManager, waitFor, type StartedJobManager, type TestPki } from '@rivulet/testing';

/** The internal TLS material of certificate `name` of `pki`, as a daemon reads it. */
export function tlsMaterialOf(pki: TestPki, name: string): TlsMaterial {
  const { cert, key } = pki.certificate(name);
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), ca: readFileSync(pki.caCert, 'utf8') };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * A fresh gRPC connection and one call (ClusterOverview) on it, `samples`
 * times: the cost of connecting, with `tls` of the TLS handshake too.
 * Median milliseconds.
 */
export async function freshConnectionCallMs(jm: StartedJobManager, tls: TlsMaterial | undefined, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const client = new (rivuletProto().JobManagerService)(jm.rpcAddress, grpcChannelCredentials(tls), grpcChannelOptions(CHANNEL_OPTIONS, tls)) as pb.JobManagerServiceClient;
    const started = performance.now();
    try {
      await callUnary(client, 'ClusterOverview', {}, { timeoutMs: 10_000, target: 'JobManager' });
      times.push(performance.now() - started);
    } finally {
      client.close();
    }
  }
  return median(times);
}

/**
 * Starts a TaskManager `samples` times (each stopped before the next) and
 * measures from its "TaskManager running" log line (its servers listen, its
 * registration has begun) to the JobManager counting its slot. Median ms.
 */
export async function registrationMs(jm: StartedJobManager, settings: readonly string[], baseSlots: number, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const tm = await startTaskManager(jm.rpcAddress, { slots: 1, name: `tm-registration-${i}`, set: settings });
    const running = Date.parse(String(tm.daemon.logs.find((e) => e.msg === 'TaskManager running')?.['time']));
    const registered = await waitFor(async () => {
      const overview = (await (await fetch(`${jm.restUrl}/overview`)).json()) as { 'slots-total': number };
      return overview['slots-total'] === baseSlots + 1 ? Date.now() : undefined;
    }, { timeoutMs: 20_000, intervalMs: 5, what: 'the TaskManager registered' });
    times.push(registered - running);
    await tm.daemon.stop();
    await waitFor(async () => ((await (await fetch(`${jm.restUrl}/overview`)).json()) as { 'slots-total': number })['slots-total'] === baseSlots ? true : undefined,
      { timeoutMs: 20_000, what: 'the TaskManager gone' });
  }
  return median(times);
}

export { median };
