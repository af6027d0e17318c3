import { signal } from '@preact/signals';

/**
 * How the page's polls fare, all resources together: the header shows it,
 * so a person always knows whether the figures are current.
 */
export const connection = signal<{ readonly lastSuccess: number | undefined; readonly failures: number; readonly lastError: string | undefined }>({
  lastSuccess: undefined,
  failures: 0,
  lastError: undefined,
});

/** The clock pages render durations and staleness with; ticks every second. */
export const now = signal(Date.now());
setInterval(() => {
  now.value = Date.now();
}, 1000);

export function reportSuccess(): void {
  connection.value = { lastSuccess: Date.now(), failures: 0, lastError: undefined };
}

export function reportFailure(message: string): void {
  const current = connection.value;
  connection.value = { lastSuccess: current.lastSuccess, failures: current.failures + 1, lastError: message };
}
