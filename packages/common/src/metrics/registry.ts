import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per daemon, with the Node process metrics under
 * `rivulet_<component>_`. Metric definitions live in each package's
 * `metrics.ts`, next to what they measure.
 */
export function createMetricsRegistry(component: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry, prefix: `rivulet_${component}_` });
  return registry;
}

export { Counter, Gauge, Histogram, Registry } from 'prom-client';
