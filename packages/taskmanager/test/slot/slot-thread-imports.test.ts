import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/**
 * A slot's thread starts for every job that gets the slot, so what it
 * imports is paid per job (docs/architecture.md, "Threads"): the whole
 * `@rivulet/common` with gRPC, etcd, HTTP and metrics costs about 1 s of CPU
 * more than `@rivulet/common/task-runtime`, and zod about 0.3 s. Walks the static and dynamic
 * imports of the compiled slot entry through this package's own modules and
 * lists every outside package they reach; and walks the bundle a thread
 * really runs (scripts/bundle-slot-thread.mjs).
 */
const ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/slot/slot-thread.js');
const IMPORT = /(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;
const FORBIDDEN = ['@rivulet/common', '@grpc/grpc-js', '@grpc/proto-loader', 'etcd3', 'prom-client', 'fastify', 'pino-pretty'];

function outsideImports(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const outside = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !outside.has(specifier)) outside.set(specifier, file);
    }
  };
  visit(entry);
  return outside;
}

test('a slot thread loads only light modules: @rivulet/common/task-runtime, never the daemons\' gRPC, etcd, HTTP or metrics stacks', () => {
  const outside = outsideImports(ENTRY);
  assert.ok(outside.has('@rivulet/common/task-runtime'), `the walk found the runtime's imports: ${[...outside.keys()].join(', ')}`);
  const offending = FORBIDDEN.filter((name) => outside.has(name)).map((name) => `${name} (imported by ${outside.get(name)})`);
  assert.deepEqual(offending, []);
});

const TASK_RUNTIME = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../common/dist/src/task-runtime.js');

test('@rivulet/common/task-runtime loads no validation library: zod alone took ~0.3 s of a slot thread\'s start', () => {
  const outside = outsideImports(TASK_RUNTIME);
  assert.ok(outside.has('pino'), `the walk found the runtime's imports: ${[...outside.keys()].join(', ')}`);
  const offending = ['zod', ...FORBIDDEN.filter((name) => name !== '@rivulet/common')].filter((name) => outside.has(name)).map((name) => `${name} (imported by ${outside.get(name)})`);
  assert.deepEqual(offending, []);
});

const BUNDLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../slot-thread/slot-thread.mjs');
const STATIC_IMPORT = /(?:^|[;\s])(?:import|export)\s[^'"()]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Outside packages the bundle's files reach: at the thread's start (static imports) and later (dynamic ones). */
function bundleImports(entry: string): { atStart: Set<string>; later: Set<string> } {
  const atStart = new Set<string>();
  const later = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string, dynamic: boolean): void => {
    const key = `${file}:${dynamic}`;
    if (seen.has(key)) return;
    seen.add(key);
    const text = readFileSync(file, 'utf8');
    const outside = (specifier: string, isDynamic: boolean): void => {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier), isDynamic);
      else if (!specifier.startsWith('node:')) (isDynamic ? later : atStart).add(specifier);
    };
    for (const match of text.matchAll(STATIC_IMPORT)) outside(match[1] ?? match[2]!, dynamic);
    for (const match of text.matchAll(DYNAMIC_IMPORT)) outside(match[1]!, true);
  };
  visit(entry, false);
  return { atStart, later };
}

test('the slot thread runs one bundle of the workspace code: at its start it imports only msgpackr (pino is in the bundle); the S3 client only when a job uses S3', () => {
  const { atStart, later } = bundleImports(BUNDLE);
  assert.deepEqual([...atStart].sort(), ['msgpackr'], `imported at a thread's start: ${[...atStart].join(', ')}`);
  assert.deepEqual([...later].filter((name) => !atStart.has(name)).sort(), ['@aws-sdk/client-s3']);
});
