import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DAEMON_NODE_FLAGS } from '@rivulet/common/client';

export interface ChildDaemonOptions {
  readonly name: string;
  readonly cliPath: string;
  readonly args: readonly string[];
  readonly logFile: string;
  /** The log message (`msg`) the daemon prints once it serves. */
  readonly readyMessage: string;
  readonly startTimeoutMs: number;
}

/**
 * One daemon process of the local cluster. Its stdout and stderr go to its
 * log file; the line with `readyMessage` resolves `ready` with the fields of
 * that log line (ports and addresses). The IPC channel makes the child stop
 * when this process goes away.
 */
export class ChildDaemon {
  readonly process: ChildProcess;
  readonly ready: Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly log: WriteStream;
  private lastError = '';

  constructor(readonly options: ChildDaemonOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    this.process = spawn(process.execPath, [...DAEMON_NODE_FLAGS, options.cliPath, ...options.args], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.lastError = chunk.toString('utf8').trim().split('\n').pop() ?? '';
      this.log.write(chunk);
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} did not start within ${options.startTimeoutMs} ms; see ${options.logFile}`)),
        options.startTimeoutMs,
      );
      const stdout = this.process.stdout;
      if (stdout) {
        createInterface({ input: stdout }).on('line', (line) => {
          this.log.write(`${line}\n`);
          if (!line.includes(options.readyMessage)) return;
          try {
            const entry = JSON.parse(line) as Record<string, unknown>;
            if (entry['msg'] === options.readyMessage) {
              clearTimeout(timer);
              resolve(entry);
            }
          } catch {
            // not a JSON log line; it is in the log file already
          }
        });
      }
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        const why = this.lastError || `see ${options.logFile}`;
        reject(new Error(`${options.name} exited (${signal ?? `code ${code}`}) before it was ready: ${why}`));
      });
    });
    this.ready.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    if (this.running) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.log.end();
  }
}
