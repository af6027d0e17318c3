import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `folder`, as paths relative to it, sorted. */
export function filesUnder(folder: string): string[] {
  try {
    return (readdirSync(folder, { recursive: true }) as string[]).filter((name) => statSync(join(folder, name)).isFile()).sort();
  } catch {
    return [];
  }
}

/** The finished (visible) part files under `folder`: names that do not start with a dot. */
export function visibleFiles(folder: string): string[] {
  return filesUnder(folder).filter((name) => !name.split('/').pop()!.startsWith('.'));
}

/** The hidden in-progress files under `folder`. */
export function inProgressFiles(folder: string): string[] {
  return filesUnder(folder).filter((name) => name.split('/').pop()!.startsWith('.'));
}

/** The lines of every visible file under `folder`, file by file in name order. */
export function visibleLines(folder: string): string[] {
  return visibleFiles(folder).flatMap((name) => readFileSync(join(folder, name), 'utf8').split('\n').filter((line) => line !== ''));
}
