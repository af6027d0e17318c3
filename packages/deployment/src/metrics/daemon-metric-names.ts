/**
 * Which metric names the daemons' sources can produce, found by reading the
 * sources rather than by running a daemon (a metric that appears only after
 * some event must still be defined somewhere). Three ways a name is defined:
 *  - a string literal `'rivulet_…'` (e.g. `name: 'rivulet_jobmanager_is_leader'`);
 *  - a prefix literal ending in `_` (e.g. `const PREFIX = 'rivulet_jobmanager_job_'`),
 *    or opening a template literal before a placeholder
 *    (`` `rivulet_taskmanager_job_task_${name}` ``), with a name in the same
 *    file, quoted (`'numRestarts'`) or after a template placeholder
 *    (`${PREFIX}numFailures`);
 *  - prom-client's default metrics, registered by `collectDefaultMetrics` with
 *    the prefix `rivulet_${component}_` for every `createMetricsRegistry('…')`
 *    call; their names come from prom-client's own `metricNames` lists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** Source folders of the daemons: the JobManager, the TaskManager, and the common code both use. */
export const DAEMON_SOURCE_DIRS = ['packages/jobmanager/src', 'packages/taskmanager/src', 'packages/common/src'] as const;

const FULL_NAME = /['"`](rivulet_[A-Za-z0-9_]*[A-Za-z0-9])['"`]/g;
const PREFIX = /['"`](rivulet_[A-Za-z0-9_]*_)['"`]|`(rivulet_[A-Za-z0-9_]*_)\$\{/g;
const QUOTED_IDENTIFIER = /['"`]([A-Za-z][A-Za-z0-9_]*)['"`]/g;
const AFTER_PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*\}([A-Za-z][A-Za-z0-9_]*)/g;
const DEFAULT_METRICS_PREFIX = /collectDefaultMetrics\([^)]*prefix:\s*`rivulet_\$\{\w+\}_`/;
const REGISTRY_COMPONENT = /createMetricsRegistry\(\s*['"]([a-z]+)['"]\s*\)/g;

/** Metric name → the source file (relative to `repoRoot`) that defines it. */
export function daemonMetricNames(repoRoot: string): ReadonlyMap<string, string> {
  const names = new Map<string, string>();
  const define = (name: string, file: string): void => {
    if (!names.has(name)) names.set(name, file);
  };
  const components = new Set<string>();
  let defaultMetricsFile: string | undefined;

  for (const dir of DAEMON_SOURCE_DIRS) {
    for (const path of typeScriptFiles(join(repoRoot, dir))) {
      const file = relative(repoRoot, path);
      const text = readFileSync(path, 'utf8');
      for (const [, name] of text.matchAll(FULL_NAME)) define(name!, file);
      const prefixes = [...text.matchAll(PREFIX)].map((m) => (m[1] ?? m[2])!);
      if (prefixes.length > 0) {
        const suffixes = [...text.matchAll(QUOTED_IDENTIFIER), ...text.matchAll(AFTER_PLACEHOLDER)].map((m) => m[1]!);
        for (const prefix of prefixes) for (const suffix of suffixes) define(prefix + suffix, file);
      }
      for (const [, component] of text.matchAll(REGISTRY_COMPONENT)) components.add(component!);
      if (DEFAULT_METRICS_PREFIX.test(text)) defaultMetricsFile = file;
    }
  }

  if (defaultMetricsFile !== undefined) {
    for (const metric of promClientDefaultMetricNames(repoRoot)) {
      for (const component of components) define(`rivulet_${component}_${metric}`, defaultMetricsFile);
    }
  }
  return names;
}

/** Names of prom-client's default metrics, as the copy the daemons use lists them. */
export function promClientDefaultMetricNames(repoRoot: string): string[] {
  const requireFromCommon = createRequire(join(repoRoot, 'packages', 'common', 'package.json'));
  const metricsDir = join(dirname(requireFromCommon.resolve('prom-client/package.json')), 'lib', 'metrics');
  const names = new Set<string>();
  for (const entry of readdirSync(metricsDir)) {
    if (!entry.endsWith('.js')) continue;
    const module = requireFromCommon(join(metricsDir, entry)) as { metricNames?: unknown };
    if (Array.isArray(module.metricNames)) for (const name of module.metricNames) names.add(String(name));
  }
  if (names.size === 0) throw new Error(`prom-client's default metrics in ${metricsDir} list no metricNames: has prom-client changed its layout?`);
  return [...names];
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'generated' ? [] : typeScriptFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
}
