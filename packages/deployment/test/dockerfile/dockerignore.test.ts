import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@rivulet/testing';
import { checkDockerignore } from '../../src/dockerfile/dockerignore-check.js';

describe('.dockerignore', () => {
  it('keeps node_modules, dist, build info and .git out of the build context, and the sources in', () => {
    assert.deepEqual(checkDockerignore(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')), []);
  });

  it('reports node_modules of a package when only the root one is excluded', () => {
    const problems = checkDockerignore('/node_modules\n**/dist\n**/*.tsbuildinfo\n.git\npackages/common/src/generated\n');
    assert.deepEqual(problems, ['packages/cli/node_modules/commander/package.json would be sent to the build context: .dockerignore must exclude it']);
  });

  it('reports a missing .git and dist', () => {
    const problems = checkDockerignore('**/node_modules\n**/*.tsbuildinfo\npackages/common/src/generated\n');
    assert.deepEqual(problems, [
      'dist/index.js would be sent to the build context: .dockerignore must exclude it',
      'packages/common/dist/src/index.js would be sent to the build context: .dockerignore must exclude it',
      '.git/HEAD would be sent to the build context: .dockerignore must exclude it',
    ]);
  });

  it('reports sources the build needs when a pattern excludes them', () => {
    const text = `${readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')}\nexamples\n*.yaml\n`;
    assert.deepEqual(checkDockerignore(text), [
      'pnpm-lock.yaml is excluded by .dockerignore, but the image build needs it',
      'pnpm-workspace.yaml is excluded by .dockerignore, but the image build needs it',
      'examples/wordcount.ts is excluded by .dockerignore, but the image build needs it',
      'examples/data/hamlet.txt is excluded by .dockerignore, but the image build needs it',
    ]);
  });
});
