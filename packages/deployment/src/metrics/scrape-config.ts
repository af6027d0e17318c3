/**
 * The static scrape targets of a Prometheus configuration file: which host
 * and port each job scrapes, on which path, with which target labels.
 */
import { parse } from 'yaml';
import { MetricsFileError } from './errors.js';

export interface ScrapeTarget {
  readonly job: string;
  readonly host: string;
  readonly port: number;
  /** `metrics_path`, Prometheus's default `/metrics` when unset. */
  readonly metricsPath: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface RawScrapeConfig {
  job_name?: unknown;
  metrics_path?: unknown;
  static_configs?: unknown;
}

/** Every target of every `static_configs` entry in `yamlText` (the text of `file`). */
export function scrapeTargets(yamlText: string, file: string): ScrapeTarget[] {
  let document: unknown;
  try {
    document = parse(yamlText);
  } catch (err) {
    throw new MetricsFileError(file, `not YAML: ${(err as Error).message}`, { cause: err });
  }
  const scrapeConfigs = (document as { scrape_configs?: unknown } | null)?.scrape_configs;
  if (!Array.isArray(scrapeConfigs)) throw new MetricsFileError(file, 'has no scrape_configs list');
  return (scrapeConfigs as RawScrapeConfig[]).flatMap((config, index) => targetsOf(config, index, file));
}

function targetsOf(config: RawScrapeConfig, index: number, file: string): ScrapeTarget[] {
  const job = config.job_name;
  if (typeof job !== 'string' || job === '') throw new MetricsFileError(file, `scrape_configs[${index}] has no job_name`);
  const metricsPath = config.metrics_path ?? '/metrics';
  if (typeof metricsPath !== 'string') throw new MetricsFileError(file, `metrics_path of job ${job} is not a string`);
  if (config.static_configs === undefined) return [];
  if (!Array.isArray(config.static_configs)) throw new MetricsFileError(file, `static_configs of job ${job} is not a list`);
  return (config.static_configs as { targets?: unknown; labels?: unknown }[]).flatMap((group) => {
    if (!Array.isArray(group.targets)) throw new MetricsFileError(file, `a static_configs entry of job ${job} has no targets list`);
    const labels = stringRecord(group.labels ?? {}, `labels of a static_configs entry of job ${job}`, file);
    return group.targets.map((target: unknown) => {
      const match = typeof target === 'string' ? /^([^:\s]+):(\d{1,5})$/.exec(target) : null;
      if (match === null) throw new MetricsFileError(file, `target ${JSON.stringify(target)} of job ${job} is not "host:port"`);
      return { job, host: match[1]!, port: Number(match[2]), metricsPath, labels };
    });
  });
}

function stringRecord(value: unknown, what: string, file: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MetricsFileError(file, `${what} is not a mapping`);
  const record: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new MetricsFileError(file, `${what}: ${key} is not a string`);
    record[key] = entry;
  }
  return record;
}
