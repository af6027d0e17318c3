import type { OutputFileConfig } from '../output-file-config.js';

/** `<prefix>-<writer uuid>-<subtask>-<counter><suffix>`: the finished name of a writer's counter-th part file. */
export function partFileName(config: OutputFileConfig, writerId: string, subtaskIndex: number, counter: number): string {
  return `${config.partPrefix}-${writerId}-${subtaskIndex}-${counter}${config.partSuffix}`;
}

/** Flink's hidden in-progress name of a local part file: `.<finished name>.inprogress.<uuid>`. */
export function inProgressFileName(finishedName: string, uuid: string): string {
  return `.${finishedName}.inprogress.${uuid}`;
}

export const IN_PROGRESS_FILE = /^\.(.+)\.inprogress\.[0-9a-f-]{36}$/;

/**
 * The writer and counter a part file name was made by, whatever its prefix
 * and suffix: the first `-<uuid>-<subtask>-<counter>` in it. Undefined for
 * names no writer of a FileSink made.
 */
export function parsePartFileName(name: string): { writerId: string; subtaskIndex: number; counter: number } | undefined {
  const match = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)-(\d+)/.exec(name);
  if (!match) return undefined;
  return { writerId: match[1]!, subtaskIndex: Number(match[2]), counter: Number(match[3]) };
}
