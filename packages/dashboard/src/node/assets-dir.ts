import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page every dashboard URL loads; it names the hashed bundle files. */
export const DASHBOARD_INDEX = 'index.html';

/**
 * The folder of the built dashboard (`index.html` and `assets/`), written
 * by `scripts/bundle.mjs` as part of `pnpm run build`: the JobManager
 * serves it on its REST port. It is `packages/dashboard/dist/web`, found
 * from this compiled file (`dist/src/node/`).
 */
export function dashboardAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}
