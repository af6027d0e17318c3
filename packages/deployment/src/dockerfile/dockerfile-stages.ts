import { DockerfileParser, type From, type Instruction } from 'dockerfile-ast';
import { posix } from 'node:path';

/** One build stage: its FROM and the instructions up to the next FROM, with the WORKDIR each one runs in. */
export interface DockerfileStage {
  readonly index: number;
  readonly name: string | undefined;
  readonly from: From;
  /** The stage this one builds on (`FROM build AS runtime`), if any. */
  readonly parent: DockerfileStage | undefined;
  readonly instructions: ReadonlyArray<{ readonly instruction: Instruction; readonly workdir: string }>;
}

/** Splits a Dockerfile into its stages (instructions before the first FROM, i.e. global ARGs, are dropped). */
export function dockerfileStages(text: string): DockerfileStage[] {
  const stages: DockerfileStage[] = [];
  let current: { index: number; name: string | undefined; from: From; parent: DockerfileStage | undefined; instructions: Array<{ instruction: Instruction; workdir: string }> } | undefined;
  let workdir = '/';
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      if (current) stages.push(current);
      const from = instruction as From;
      const parent = stages.find((stage) => stage.name !== undefined && stage.name === from.getImage());
      workdir = parent ? lastWorkdir(parent) : '/';
      current = { index: stages.length, name: from.getBuildStage() ?? undefined, from, parent, instructions: [] };
      continue;
    }
    if (!current) continue;
    if (instruction.getKeyword() === 'WORKDIR') {
      const dir = instruction.getArguments()[0]?.getValue();
      if (dir !== undefined) workdir = posix.resolve(workdir, dir);
    }
    current.instructions.push({ instruction, workdir });
  }
  if (current) stages.push(current);
  return stages;
}

function lastWorkdir(stage: DockerfileStage): string {
  const last = stage.instructions[stage.instructions.length - 1];
  return last?.workdir ?? (stage.parent ? lastWorkdir(stage.parent) : '/');
}

/** The stage's own instructions preceded by those of the stages it builds on (what its image inherits). */
export function inheritedInstructions(stage: DockerfileStage): Array<{ instruction: Instruction; workdir: string }> {
  return [...(stage.parent ? inheritedInstructions(stage.parent) : []), ...stage.instructions];
}

/** The last instruction with `keyword` the stage's image ends up with. */
export function lastOf(stage: DockerfileStage, keyword: string): Instruction | undefined {
  return inheritedInstructions(stage)
    .map((entry) => entry.instruction)
    .filter((instruction) => instruction.getKeyword() === keyword)
    .pop();
}

/** The shell commands of a RUN, split at `&&`, `||`, `;` and `|` outside quotes, as word lists (quotes kept). */
export function shellCommands(instruction: Instruction): string[][] {
  const commands: string[][] = [[]];
  let quote: string | undefined;
  for (const argument of instruction.getArguments()) {
    const word = argument.getValue();
    const quoted = quote !== undefined;
    for (let i = 0; i < word.length; i++) {
      const char = word[i]!;
      if (char === '\\' && quote !== "'") i++;
      else if (quote === undefined && (char === '"' || char === "'")) quote = char;
      else if (char === quote) quote = undefined;
    }
    if (!quoted && quote === undefined && ['&&', '||', ';', '|'].includes(word)) {
      commands.push([]);
      continue;
    }
    const endsCommand = quote === undefined && word.endsWith(';');
    commands[commands.length - 1]!.push(endsCommand ? word.slice(0, -1) : word);
    if (endsCommand) commands.push([]);
  }
  return commands.filter((words) => words.length > 0);
}

/** The exec-form words of an ENTRYPOINT/CMD/HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  let words = instruction.getArguments().map((argument) => argument.getValue());
  if (instruction.getKeyword() === 'HEALTHCHECK') {
    if (words[0]?.toUpperCase() !== 'CMD') return undefined;
    words = words.slice(1);
  }
  const json = words.join(' ');
  if (!json.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every((w) => typeof w === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The argv a shell builds from a command's words (from shellCommands): words
 * inside one quoted string joined again with a space, quotes removed,
 * backslash escapes resolved outside single quotes. No expansion of $VAR.
 */
export function shellArgv(words: readonly string[]): string[] {
  const argv: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const word of words) {
    current = current === undefined ? '' : `${current} `;
    for (let i = 0; i < word.length; i++) {
      const char = word[i]!;
      if (char === '\\' && quote !== "'" && i + 1 < word.length) current += word[++i];
      else if (quote === undefined && (char === '"' || char === "'")) quote = char;
      else if (char === quote) quote = undefined;
      else current += char;
    }
    if (quote === undefined) {
      argv.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) argv.push(current);
  return argv;
}
