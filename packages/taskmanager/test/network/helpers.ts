import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@rivulet/common';
import {
  createNetworkEnvironment, type InputGate, type InputGateEntry, type NetworkEnvironmentOptions, type TcpNetworkEnvironment,
} from '../../src/network/index.js';

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const log = createLogger({ component: 'test', level: 'debug', destination });
  const lines = (): Array<Record<string, unknown>> =>
    chunks.join('').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines };
}

export type EnvOptions = Partial<Omit<NetworkEnvironmentOptions, 'log' | 'resourceId'>> & { log?: Logger };

/** A started environment on 127.0.0.1, standing for one TaskManager. */
export async function startEnv(name: string, options: EnvOptions = {}): Promise<{ env: TcpNetworkEnvironment; port: number; location: { host: string; port: number } }> {
  const env = createNetworkEnvironment({ log: options.log ?? capturingLogger().log, resourceId: name, ...options });
  const port = await env.start('127.0.0.1', 0);
  return { env, port, location: { host: '127.0.0.1', port } };
}

/** Polls the gate until it finishes (or fails), returning every entry per channel. */
export async function drain(gate: InputGate, timeoutMs = 10_000): Promise<InputGateEntry[][]> {
  const perChannel: InputGateEntry[][] = Array.from({ length: gate.numberOfChannels }, () => []);
  const deadline = Date.now() + timeoutMs;
  while (!gate.finished) {
    if (gate.failure) throw gate.failure;
    const entry = gate.poll();
    if (entry) {
      perChannel[entry.channel]!.push(entry);
      continue;
    }
    if (Date.now() > deadline) throw new Error('drain timed out');
    await Promise.race([gate.whenAvailable(), delay(50)]);
  }
  return perChannel;
}

export function recordsOf(entries: readonly InputGateEntry[]): unknown[] {
  return entries.flatMap((e) => ('records' in e ? e.records : []));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `probe` is true (checked every 5 ms), or throws naming `what`. */
export async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** Emits `count` records to one subpartition, waiting whenever the writer is unavailable. */
export async function produce(
  writer: { emit(s: number, r: unknown): void; isAvailable(): boolean; whenAvailable(): Promise<void> },
  subpartition: number,
  records: Iterable<unknown>,
): Promise<void> {
  for (const record of records) {
    if (!writer.isAvailable()) await writer.whenAvailable();
    writer.emit(subpartition, record);
  }
}
