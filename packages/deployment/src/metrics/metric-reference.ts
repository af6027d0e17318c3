/**
 * Reads the metric reference (docs/metrics.md): every table row whose first
 * cell is a backticked `rivulet_…` name documents one metric family. Columns:
 * Metric | Type | Labels | Unit | Flink | Meaning. A name with `<daemon>`
 * stands for the same metric on both daemons. A meaning containing
 * `*Appears only …*` marks a metric that has no sample until that condition.
 */
import { MetricsFileError } from './errors.js';

export type Daemon = 'jobmanager' | 'taskmanager';
export const DAEMONS: readonly Daemon[] = ['jobmanager', 'taskmanager'];

export type MetricType = 'gauge' | 'counter' | 'histogram';
const METRIC_TYPES: readonly string[] = ['gauge', 'counter', 'histogram'];

export interface DocumentedMetric {
  readonly name: string;
  readonly daemon: Daemon;
  readonly type: MetricType;
  /** Label names beyond the `component` label every series has. */
  readonly labels: readonly string[];
  readonly unit: string;
  readonly flink: string;
  /** The condition of an `*Appears only …*` mark, else undefined: the metric has samples in a running cluster. */
  readonly condition: string | undefined;
  /** 1-based line of the row. */
  readonly line: number;
}

const COLUMNS = ['Metric', 'Type', 'Labels', 'Unit', 'Flink', 'Meaning'] as const;
const ROW = /^\|\s*`rivulet_/;
const NAME = /^`(rivulet_(?:<daemon>|jobmanager|taskmanager)_[A-Za-z0-9_]+)`$/;
const LABEL = /^`([a-zA-Z_][a-zA-Z0-9_]*)`$/;
const CONDITION = /\*Appears only ([^*]+?)\.?\*/;

/** Every metric documented in `markdown` (the text of `file`), one entry per daemon. Throws on a malformed row. */
export function parseMetricReference(markdown: string, file: string): DocumentedMetric[] {
  const metrics: DocumentedMetric[] = [];
  const seen = new Map<string, number>();
  markdown.split('\n').forEach((text, index) => {
    if (!ROW.test(text)) return;
    const line = index + 1;
    for (const metric of parseRow(text, file, line)) {
      const earlier = seen.get(metric.name);
      if (earlier !== undefined) throw new MetricsFileError(file, `${metric.name} is documented twice (first on line ${earlier})`, { line });
      seen.set(metric.name, line);
      metrics.push(metric);
    }
  });
  if (metrics.length === 0) throw new MetricsFileError(file, 'no metric table rows (| `rivulet_…` | … |) found');
  return metrics;
}

function parseRow(text: string, file: string, line: number): DocumentedMetric[] {
  const cells = splitRow(text);
  if (cells.length !== COLUMNS.length) {
    throw new MetricsFileError(file, `a metric row needs ${COLUMNS.length} cells (${COLUMNS.join(' | ')}), found ${cells.length}`, { line });
  }
  const [nameCell, typeCell, labelsCell, unit, flink, meaning] = cells as [string, string, string, string, string, string];
  const name = NAME.exec(nameCell)?.[1];
  if (name === undefined) {
    throw new MetricsFileError(file, `metric name ${nameCell} is not a backticked rivulet_<daemon|jobmanager|taskmanager>_… name`, { line });
  }
  if (!METRIC_TYPES.includes(typeCell)) {
    throw new MetricsFileError(file, `type "${typeCell}" of ${name} is not one of ${METRIC_TYPES.join(', ')}`, { line });
  }
  const labels = parseLabels(labelsCell, name, file, line);
  if (unit === '') throw new MetricsFileError(file, `${name} has no unit`, { line });
  if (flink === '') throw new MetricsFileError(file, `${name} has an empty Flink cell (write — when Flink has no such metric)`, { line });
  if (meaning === '') throw new MetricsFileError(file, `${name} has no meaning`, { line });
  const condition = CONDITION.exec(meaning)?.[1];
  const daemons = name.includes('<daemon>') ? DAEMONS : [name.startsWith('rivulet_jobmanager_') ? 'jobmanager' : 'taskmanager'] as const;
  return daemons.map((daemon) => ({
    name: name.replace('<daemon>', daemon),
    daemon,
    type: typeCell as MetricType,
    labels,
    unit,
    flink,
    condition,
    line,
  }));
}

/** Cells of a Markdown table row; `\|` inside a cell is a literal bar. */
function splitRow(text: string): string[] {
  const inner = text.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

function parseLabels(cell: string, name: string, file: string, line: number): string[] {
  if (cell === '—') return [];
  return cell.split(',').map((part) => {
    const label = LABEL.exec(part.trim())?.[1];
    if (label === undefined) {
      throw new MetricsFileError(file, `labels of ${name} must be backticked names separated by commas, or —; found "${part.trim()}"`, { line });
    }
    return label;
  });
}
