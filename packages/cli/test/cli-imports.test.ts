import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/**
 * Every `rivulet` command pays for the modules it loads before it can act,
 * and users and scripts run it often: loading both daemons, esbuild and the
 * whole of `@rivulet/common` took ~2 s of CPU for `rivulet --version`
 * (docs/cli.md, "Start-up"). Walks the static imports of the compiled
 * entry, through the CLI's own modules and the workspace packages it reaches,
 * and lists every outside package a command loads before its action runs;
 * what an action imports dynamically (a daemon, esbuild, etcd) is loaded only
 * by the command that needs it.
 */
const ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '../src/main.js');
const STATIC_IMPORT = /(?:^|[;\s])(?:import|export)\s[^'"()]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm;

function staticImports(entry: string): { packages: Set<string>; workspace: Set<string> } {
  const packages = new Set<string>();
  const workspace = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    // Type-only imports are erased by tsc, so the compiled file holds what really loads.
    for (const match of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (specifier.startsWith('@rivulet/')) {
        workspace.add(specifier);
        visit(fileURLToPath(import.meta.resolve(specifier)));
      } else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(entry);
  return { packages, workspace };
}

test('the rivulet command loads neither daemon, nor esbuild, etcd, the HTTP server, metrics or the AWS SDK before a command needs them', () => {
  const { packages, workspace } = staticImports(ENTRY);
  assert.ok(workspace.has('@rivulet/common/client'), `the walk followed the workspace imports: ${[...workspace].join(', ')}`);
  assert.deepEqual([...workspace].filter((name) => name !== '@rivulet/common/client'), [], 'only @rivulet/common/client of the workspace');
  const heavy = ['@rivulet/jobmanager', '@rivulet/taskmanager', 'esbuild', 'etcd3', 'fastify', 'prom-client', '@aws-sdk/client-s3', 'msgpackr'];
  assert.deepEqual(heavy.filter((name) => packages.has(name)), []);
  assert.deepEqual([...packages].sort(), ['@grpc/grpc-js', '@grpc/proto-loader', 'commander', 'fastest-levenshtein', 'yaml', 'zod'], `loaded at start: ${[...packages].join(', ')}`);
});
