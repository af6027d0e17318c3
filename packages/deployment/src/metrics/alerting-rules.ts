/**
 * The alerting rules published in docs/metrics.md: the fenced ```yaml block
 * that follows the `<!-- alerting-rules … -->` marker, a Prometheus rules file
 * as it is.
 */
import { parse } from 'yaml';
import { MetricsFileError } from './errors.js';

const MARKER = '<!-- alerting-rules';

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
}

/** The text of the rules block in `markdown` (the text of `file`). */
export function alertingRulesBlock(markdown: string, file: string): string {
  const lines = markdown.split('\n');
  const marker = lines.findIndex((line) => line.startsWith(MARKER));
  if (marker < 0) throw new MetricsFileError(file, `no "${MARKER} … -->" marker before the alerting rules`);
  const open = marker + 1;
  if (lines[open]?.trim() !== '```yaml') {
    throw new MetricsFileError(file, 'the alerting-rules marker must be followed at once by a ```yaml block', { line: open + 1 });
  }
  const close = lines.findIndex((line, index) => index > open && line.trim() === '```');
  if (close < 0) throw new MetricsFileError(file, 'the ```yaml block of alerting rules is not closed', { line: open + 1 });
  return lines.slice(open + 1, close).join('\n') + '\n';
}

/** The alerting rules of a rules file's text (groups[].rules[] with `alert`). */
export function alertingRules(rulesYaml: string, file: string): AlertingRule[] {
  let document: unknown;
  try {
    document = parse(rulesYaml);
  } catch (err) {
    throw new MetricsFileError(file, `alerting rules are not YAML: ${(err as Error).message}`, { cause: err });
  }
  const groups = (document as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(groups)) throw new MetricsFileError(file, 'alerting rules have no "groups" list');
  const rules: AlertingRule[] = [];
  for (const group of groups as { name?: unknown; rules?: unknown }[]) {
    if (!Array.isArray(group.rules)) throw new MetricsFileError(file, `rule group ${String(group.name)} has no "rules" list`);
    for (const rule of group.rules as { alert?: unknown; expr?: unknown }[]) {
      if (typeof rule.alert !== 'string' || typeof rule.expr !== 'string') {
        throw new MetricsFileError(file, `a rule of group ${String(group.name)} lacks a string "alert" or "expr"`);
      }
      rules.push({ alert: rule.alert, expr: rule.expr });
    }
  }
  return rules;
}

/** Metric names (`rivulet_…`) an expression refers to. */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\brivulet_[A-Za-z0-9_]+/g) ?? [])];
}
