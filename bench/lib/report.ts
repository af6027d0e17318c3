/**
 * Every benchmark ends by printing exactly one JSON object as its last line of
 * output (the `pnpm bench NAME` contract). Figures go in `figures`, ratios
 * against a baseline measured in the same run go in `ratios`.
 */
export interface BenchReport {
  readonly bench: string;
  readonly figures: Record<string, unknown>;
  readonly ratios: Record<string, number>;
  readonly targets?: Record<string, { readonly target: string; readonly met: boolean }>;
}

export function printReport(report: BenchReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
