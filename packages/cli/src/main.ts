#!/usr/bin/env node
import { CommanderError } from 'commander';
import { RivuletError, errorMessage } from '@rivulet/common/client';
import { buildProgram } from './program.js';

/**
 * Entry point of `rivulet`. Exit codes: 0 ok, 1 job or cluster error,
 * 2 usage or configuration error. Errors print one line, never a stack.
 */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeOf(err);
    if (!(err instanceof CommanderError)) process.stderr.write(`rivulet: ${errorMessage(err)}\n`);
  }
}

function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
      ? 0
      : 2;
  }
  if (err instanceof RivuletError) return err.exitCode;
  return 1;
}

await main(process.argv);
