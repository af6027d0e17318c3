import dockerignore from '@balena/dockerignore';

// A CommonJS module whose types declare `export default`: under NodeNext the
// function is its `default` property (the package sets factory.default = factory).
const createIgnore = dockerignore.default;

/**
 * Paths that must never reach the build context of deploy/Dockerfile: what the
 * host installed or built (the image installs and builds for itself) and the
 * git history. Each is checked at the root and inside a workspace package,
 * with Docker's own .dockerignore matching (@balena/dockerignore).
 */
export const MUST_BE_IGNORED: readonly string[] = [
  'node_modules/yaml/package.json',
  'packages/cli/node_modules/commander/package.json',
  'dist/index.js',
  'packages/common/dist/src/index.js',
  '.git/HEAD',
  'packages/cli/tsconfig.tsbuildinfo',
  'packages/common/src/generated/jobmanager.ts',
];

/** Paths the build needs, which must stay in the context. */
export const MUST_BE_KEPT: readonly string[] = [
  'package.json',
  'pnpm-lock.yaml',
  'pnpm-workspace.yaml',
  'tsconfig.base.json',
  'proto/rivulet/v1/jobmanager.proto',
  'packages/cli/src/main.ts',
  'packages/cli/package.json',
  'packages/deployment/src/dockerfile/healthcheck.ts',
  'scripts/generate-proto-types.mjs',
  'examples/wordcount.ts',
  'examples/data/hamlet.txt',
];

/** Violations of the two lists for a .dockerignore text; empty when it is right. */
export function checkDockerignore(text: string): string[] {
  const ignore = createIgnore().add(text.split(/\r?\n/));
  return [
    ...MUST_BE_IGNORED.filter((path) => !ignore.ignores(path)).map((path) => `${path} would be sent to the build context: .dockerignore must exclude it`),
    ...MUST_BE_KEPT.filter((path) => ignore.ignores(path)).map((path) => `${path} is excluded by .dockerignore, but the image build needs it`),
  ];
}
