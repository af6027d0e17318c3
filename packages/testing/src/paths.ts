import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/testing/dist/src/paths.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The built `rivulet` CLI entry point. */
export const CLI_PATH = fileURLToPath(new URL('../../../cli/dist/src/main.js', import.meta.url));
