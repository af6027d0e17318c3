import type { Command } from 'commander';
import { loadConfiguration, parseKeyValuePairs, type Configuration } from '@rivulet/common/client';

/** Options every command that reads configuration accepts. */
export interface ConfigFlags {
  readonly config?: string;
  readonly set?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addConfigOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-D, --set <key=value>', 'set a configuration key (repeatable), e.g. -D heartbeat.timeout=3s', collect);
}

/**
 * Resolves configuration for a command: named flags (already mapped to keys)
 * and -D pairs beat the environment, which beats the file.
 */
export function resolveConfiguration(flags: ConfigFlags, named: Record<string, unknown> = {}): Configuration {
  const pairs = parseKeyValuePairs(flags.set ?? []);
  return loadConfiguration({ file: flags.config, env: process.env, flags: { ...pairs, ...definedOnly(named) } });
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

export type OutputFormat = 'text' | 'json';

export function addOutputOption(command: Command): Command {
  return command.option('-o, --output <format>', 'output format: text or json', parseOutputFormat, 'text');
}

function parseOutputFormat(value: string): OutputFormat {
  if (value !== 'text' && value !== 'json') {
    throw new InvalidOptionArgument(`--output must be "text" or "json", got "${value}"`);
  }
  return value;
}

/** Thrown by option parsers; commander reports it as a usage error (exit 2). */
export class InvalidOptionArgument extends Error {
  override readonly name = 'InvalidOptionArgument';
  readonly code = 'commander.invalidArgument';
}

export function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new InvalidOptionArgument(`${name} must be a positive integer, got "${value}"`);
    }
    return Number(value);
  };
}

export function portNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > 65535) {
      throw new InvalidOptionArgument(`${name} must be a port number 0..65535, got "${value}"`);
    }
    return Number(value);
  };
}
