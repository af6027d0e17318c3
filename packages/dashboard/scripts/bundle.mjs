#!/usr/bin/env node
// Bundles the dashboard (src/ui/main.tsx and everything it imports, CSS
// included) into dist/web: index.html plus assets/ with content-hashed
// names, minified, with source maps; the graph layout and the charts are
// chunks of their own, loaded when a page first needs them. Run by the root `pnpm run build`
// after tsc; the JobManager serves dist/web (src/node/assets-dir.ts).
// Nothing is fetched at run time: every library is in the bundle.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(root, 'src', 'ui', 'main.tsx')],
  outdir: join(out, 'assets'),
  entryNames: 'app-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  // The graph layout (dagre) and the charts (uPlot) are loaded when first needed.
  splitting: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined);
const script = entry ? basename(entry[0]) : undefined;
const style = entry?.[1].cssBundle ? basename(entry[1].cssBundle) : undefined;
if (!script || !style) throw new Error(`bundle: expected a .js and a .css output, got ${outputs.join(', ')}`);
// The page's first requests leave from an inline script, while the bundle is still on its way (src/client/prefetch.ts).
const prefetch = await build({
  entryPoints: [join(root, 'src', 'ui', 'prefetch-entry.ts')],
  bundle: true,
  format: 'iife',
  target: ['es2022'],
  minify: true,
  write: false,
  logLevel: 'warning',
});
const prefetchScript = prefetch.outputFiles[0].text.trim();
if (prefetchScript.includes('</script')) throw new Error('bundle: the inline prefetch script contains </script');
const template = readFileSync(join(root, 'src', 'ui', 'index.html'), 'utf8');
writeFileSync(
  join(out, 'index.html'),
  template.replace('%PREFETCH%', () => prefetchScript).replace('%STYLE%', `/assets/${style}`).replace('%SCRIPT%', `/assets/${script}`),
);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stderr.write(`dashboard: bundled ${script} and ${style} into ${out} (${Math.round(bytes / 1024)} KiB with maps)\n`);
