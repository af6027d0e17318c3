#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/test/**/*.test.js) with
// Node's built-in test runner, so results are counted. Extra arguments are
// substrings that select test files (e.g. `pnpm test:only cluster`).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'packages'))
  .flatMap((pkg) => testFiles(join(root, 'packages', pkg, 'dist', 'test')))
  .filter((file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)))
  .sort();
if (files.length === 0) {
  process.stderr.write('no compiled test files found: run the build first\n');
  process.exit(1);
}
// Two test files at a time: the end-to-end files mostly wait on their clusters, so on the 2-core CI machine
// two of them overlap well (1,868 s one at a time in CI; see README). RIVULET_TEST_CONCURRENCY=1 runs one at a time.
const concurrency = Number(process.env.RIVULET_TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write(`RIVULET_TEST_CONCURRENCY must be a positive integer, got ${JSON.stringify(process.env.RIVULET_TEST_CONCURRENCY)}\n`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-timeout=400000', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
