/**
 * The sample Prometheus configuration made runnable against daemons on this
 * machine: every static target whose host is in `addresses` is replaced by
 * that local `host:port`, targets of hosts not running here are dropped, and
 * the intervals are shortened so a test sees samples within seconds. Jobs,
 * paths, labels and relabelling stay as written.
 */
import { parse, stringify } from 'yaml';
import { MetricsFileError } from './errors.js';

export interface LocalScrapeOptions {
  /** Compose host → `127.0.0.1:PORT` of the local daemon standing for it. */
  readonly addresses: ReadonlyMap<string, string>;
  readonly interval: string;
  /** Rule files to evaluate, as Prometheus will find them. */
  readonly ruleFiles?: readonly string[];
}

export function localScrapeConfig(yamlText: string, file: string, options: LocalScrapeOptions): string {
  const config = parse(yamlText) as { global?: Record<string, unknown>; scrape_configs?: unknown; rule_files?: unknown } | null;
  if (config === null || !Array.isArray(config.scrape_configs)) throw new MetricsFileError(file, 'has no scrape_configs list');
  config.global = { ...config.global, scrape_interval: options.interval, scrape_timeout: options.interval, evaluation_interval: options.interval };
  if (options.ruleFiles !== undefined) config.rule_files = [...options.ruleFiles];
  let mapped = 0;
  for (const scrape of config.scrape_configs as { static_configs?: { targets?: unknown[] }[] }[]) {
    for (const group of scrape.static_configs ?? []) {
      group.targets = (group.targets ?? []).flatMap((target) => {
        const host = String(target).replace(/:\d+$/, '');
        const local = options.addresses.get(host);
        if (local === undefined) return [];
        mapped += 1;
        return [local];
      });
    }
  }
  if (mapped === 0) throw new MetricsFileError(file, `none of its targets is among the local hosts ${[...options.addresses.keys()].join(', ')}`);
  return stringify(config);
}
