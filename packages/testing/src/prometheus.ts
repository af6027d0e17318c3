import { createRequire } from 'node:module';

export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: ReadonlyArray<{ readonly value?: string; readonly labels?: Record<string, string> }>;
}

const require = createRequire(import.meta.url);
const parse = require('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? [-+]?(\d+(\.\d+)?([eE][-+]?\d+)?|NaN|[+-]?Inf)( \d+)?$/;
const COMMENT = /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$/;

/**
 * Parses Prometheus exposition text. Every line is first checked against the
 * text format's grammar (sample or HELP/TYPE comment); a bad line throws.
 */
export function parsePrometheusText(text: string): PrometheusFamily[] {
  text.split('\n').forEach((line, index) => {
    if (line === '' || SAMPLE.test(line) || COMMENT.test(line)) return;
    throw new Error(`line ${index + 1} is not Prometheus text format: ${line}`);
  });
  return parse(text);
}
