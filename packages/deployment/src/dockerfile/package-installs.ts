import { posix } from 'node:path';

/**
 * What a shell command in a RUN does to a project's node_modules:
 * - `production-deploy`: `pnpm deploy --prod DIR` writes a tree with production dependencies only to DIR;
 * - `production-install`: an install that leaves out devDependencies (`pnpm install --prod`, `npm ci --omit=dev`, …);
 * - `full-install`: an install with devDependencies (`pnpm install`, `npm ci`, `yarn`).
 * Global tool installs (`npm install --global pnpm`) and downloads (`pnpm fetch`) are none of these.
 */
export type PackageInstall =
  | { readonly kind: 'production-deploy'; readonly target: string; readonly command: string }
  | { readonly kind: 'production-install'; readonly command: string }
  | { readonly kind: 'full-install'; readonly command: string };

const MANAGERS = new Set(['pnpm', 'npm', 'yarn']);
/** Options of the package managers that take a separate value. */
const VALUE_FLAGS = new Set(['--filter', '-F', '--dir', '-C', '--store-dir', '--workspace', '-w', '--prefix', '--cwd', '--config', '--loglevel', '--reporter']);
const PRODUCTION_FLAGS = new Set(['--prod', '-P', '--production', '--production=true', '--omit=dev', '--only=prod', '--only=production']);
const INSTALL_VERBS: Readonly<Record<string, readonly string[]>> = {
  pnpm: ['install', 'i', 'add'],
  npm: ['install', 'i', 'ci', 'add', 'isntall'],
  yarn: ['install', 'add', ''],
};

/** Positional words (not options, not option values) after index `from`. */
function positionals(words: readonly string[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < words.length; i++) {
    const word = words[i]!;
    if (VALUE_FLAGS.has(word)) i++;
    else if (!word.startsWith('-')) out.push(word);
  }
  return out;
}

function isProduction(words: readonly string[], env: readonly string[]): boolean {
  if (words.some((word) => PRODUCTION_FLAGS.has(word))) return true;
  if (words.some((word, i) => word === '--omit' && words[i + 1] === 'dev')) return true;
  return env.includes('NODE_ENV=production');
}

/** Classifies one shell command (its words), run in `workdir`. */
export function packageInstallOf(command: readonly string[], workdir: string): PackageInstall | undefined {
  let start = 0;
  const env: string[] = [];
  while (start < command.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(command[start]!)) env.push(command[start++]!);
  if (command[start] === 'npx' || command[start] === 'corepack') start++;
  const manager = command[start];
  if (manager === undefined || !MANAGERS.has(manager)) return undefined;
  const words = command.slice(start);
  const text = words.join(' ');
  if (words.includes('--global') || words.includes('-g')) return undefined;
  const [verb = '', ...rest] = positionals(words, 1);
  if (manager === 'pnpm' && verb === 'deploy') {
    const target = rest[0];
    if (target === undefined || !isProduction(words, env)) return { kind: 'full-install', command: text };
    return { kind: 'production-deploy', target: posix.resolve(workdir, target), command: text };
  }
  if (!INSTALL_VERBS[manager]!.includes(verb)) return undefined;
  return isProduction(words, env) ? { kind: 'production-install', command: text } : { kind: 'full-install', command: text };
}
