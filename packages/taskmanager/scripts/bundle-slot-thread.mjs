#!/usr/bin/env node
// Bundles a slot thread's entry (dist/src/slot/slot-thread.js, compiled by
// tsc) and every module of the workspace it imports into one file,
// dist/slot-thread/slot-thread.mjs, with a source map that leads back to the
// TypeScript sources. A slot's thread starts for every job that gets the slot:
// loading ~190 workspace modules one by one took ~340 ms of a thread's start,
// one file ~115 ms (docs/architecture.md, "Threads"). Outside packages
// (pino, msgpackr, the S3 client loaded only when used) stay imports, resolved
// from this package's node_modules as before. Run by the root `pnpm run build`
// after tsc; control/slots/slot-thread.ts starts this file.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'slot-thread');
rmSync(outdir, { recursive: true, force: true });

/**
 * Bundled: the workspace packages, pino (the logger: ~60 ms of a thread's start
 * as a tree of CommonJS files) and whatever pino requires. Every other outside
 * package stays an import: msgpackr, because it loads its native extension
 * relative to its own folder, and the S3 client, loaded only when a job uses S3.
 */
const INLINED = ['pino'];
const outsidePackagesExternal = {
  name: 'outside-packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@rivulet/')) return undefined;
      if (INLINED.includes(args.path) || args.importer.includes('/node_modules/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: [join(root, 'dist', 'src', 'slot', 'slot-thread.js')],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // What the sources import dynamically (the S3 storage, with its SDK) stays a chunk loaded when first used.
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [outsidePackagesExternal],
  // CommonJS code inside the ES module (pino) requires Node's own modules through this `require`.
  banner: { js: "import { createRequire as __rivuletCreateRequire } from 'node:module'; const require = __rivuletCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
