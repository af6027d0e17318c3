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
 * lists every outside package they reach.
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
