/**
 * Numbers as the dashboard prints them: always with their unit, short
 * enough for a table cell or a graph label, never "NaN" or "undefined"
 * (a missing value is an em dash).
 */

export const MISSING = '—';

/** Watermark value meaning "the input ended" (Flink's Long.MAX_VALUE, as far as JSON numbers go). */
export const END_OF_INPUT_WATERMARK = Number.MAX_SAFE_INTEGER;

const isNumber = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** 1234 -> "1,234". */
export function formatCount(value: number | null | undefined): string {
  return isNumber(value) ? Math.round(value).toLocaleString('en-US') : MISSING;
}

/** A compact number: 950, 9.5k, 12k, 1.2M, 3.4G. */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  const scaled = (divisor: number, suffix: string): string => {
    const v = value / divisor;
    return `${Math.abs(v) < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v).toString()}${suffix}`;
  };
  if (abs >= 1e9) return scaled(1e9, 'G');
  if (abs >= 1e6) return scaled(1e6, 'M');
  if (abs >= 1e3) return scaled(1e3, 'k');
  if (abs > 0 && abs < 10) return value.toFixed(1).replace(/\.0$/, '');
  return Math.round(value).toString();
}

/** Records per second: "1.2k records/s". */
export function formatRecordRate(value: number | null | undefined): string {
  return isNumber(value) ? `${compactNumber(value)} records/s` : MISSING;
}

/** Bytes in binary units, as Flink prints them: "512 B", "1.5 KB", "12.3 MB". */
export function formatBytes(value: number | null | undefined): string {
  if (!isNumber(value) || value < 0) return MISSING;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = value;
  let unit = 0;
  while (v >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(v)} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toString()} ${units[unit]}`;
}

/** Bytes per second: "1.5 MB/s". */
export function formatByteRate(value: number | null | undefined): string {
  return isNumber(value) ? `${formatBytes(value)}/s` : MISSING;
}

/** Milliseconds: "0 ms", "12 ms", "1,250 ms". */
export function formatMillis(value: number | null | undefined): string {
  return isNumber(value) && value >= 0 ? `${formatCount(value)} ms` : MISSING;
}

/** A duration for people: "350 ms", "12.4 s", "3m 05s", "2h 03m", "4d 07h". */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNumber(ms) || ms < 0) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const pad = (n: number): string => n.toString().padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
  return `${Math.floor(seconds / 86_400)}d ${pad(Math.floor((seconds % 86_400) / 3600))}h`;
}

/** A point in time, local: "2024-05-01 14:03:07". */
export function formatTimestamp(ms: number | null | undefined): string {
  if (!isNumber(ms) || ms <= 0) return MISSING;
  const d = new Date(ms);
  const pad = (n: number): string => n.toString().padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Time of day only: "14:03:07". */
export function formatClock(ms: number): string {
  return formatTimestamp(ms).slice(11);
}

/** A watermark: "none yet", "end of input", or the time it stands at. */
export function formatWatermark(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'none yet';
  if (ms >= END_OF_INPUT_WATERMARK) return 'end of input';
  return formatTimestamp(ms);
}

/** A fraction 0..1 as "73%". */
export function formatPercent(fraction: number | null | undefined): string {
  return isNumber(fraction) ? `${Math.round(fraction * 100)}%` : MISSING;
}

/** Cores in use: "0.35 cores". */
export function formatCores(value: number | null | undefined): string {
  return isNumber(value) ? `${value.toFixed(2)} cores` : MISSING;
}

/** "5 s ago" style age of a sample. */
export function formatAge(ms: number): string {
  if (ms < 1500) return 'just now';
  return `${formatDuration(ms)} ago`;
}
