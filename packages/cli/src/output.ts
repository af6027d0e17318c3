import type { OutputFormat } from './options.js';

/** Writes a command's result: the JSON document, or the text lines. */
export function printResult(format: OutputFormat, json: unknown, text: () => string[]): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${text().join('\n')}\n`);
}

/** Pads columns of a table for text output. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
