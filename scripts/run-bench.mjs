#!/usr/bin/env node
// `pnpm bench NAME` runs bench/NAME.ts (compiled to bench/dist/NAME.js) and
// relays its output; the benchmark prints one JSON object as its last line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: pnpm bench NAME   (NAME is one of: ${available.join(', ') || 'none yet'})\n`,
  );
  process.exit(2);
}
const script = join(root, 'bench', 'dist', `${name}.js`);
if (!existsSync(script)) {
  process.stderr.write(`bench: ${script} is not built; run 'pnpm build' first\n`);
  process.exit(1);
}
const child = spawn(process.execPath, [script, ...process.argv.slice(3)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
