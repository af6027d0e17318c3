import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageInstallOf } from '../../src/dockerfile/package-installs.js';

const words = (command: string): string[] => command.split(' ');

describe('package installs in RUN commands', () => {
  it('recognises a production deploy and resolves its target against the working directory', () => {
    assert.deepEqual(packageInstallOf(words('pnpm --filter @rivulet/cli --prod deploy /out --store-dir /s'), '/src'), {
      kind: 'production-deploy',
      target: '/out',
      command: 'pnpm --filter @rivulet/cli --prod deploy /out --store-dir /s',
    });
    assert.equal(packageInstallOf(words('pnpm deploy -P out'), '/src')?.kind, 'production-deploy');
    assert.deepEqual(packageInstallOf(words('pnpm deploy -P out'), '/src'), { kind: 'production-deploy', target: '/src/out', command: 'pnpm deploy -P out' });
  });

  it('tells production installs from full ones', () => {
    const cases: Array<[string, string | undefined]> = [
      ['pnpm install --frozen-lockfile', 'full-install'],
      ['pnpm i', 'full-install'],
      ['pnpm install --prod --frozen-lockfile', 'production-install'],
      ['npm ci', 'full-install'],
      ['npm ci --omit=dev', 'production-install'],
      ['npm ci --omit dev', 'production-install'],
      ['NODE_ENV=production npm ci', 'production-install'],
      ['yarn', 'full-install'],
      ['yarn install --production', 'production-install'],
      ['pnpm --filter @rivulet/cli deploy /out', 'full-install'],
      ['npx pnpm install', 'full-install'],
    ];
    for (const [command, kind] of cases) assert.equal(packageInstallOf(words(command), '/')?.kind, kind, command);
  });

  it('ignores what installs no project dependencies', () => {
    for (const command of ['npm install --global pnpm@12.21.0', 'npm i -g pnpm', 'pnpm fetch', 'pnpm run build', 'yarn build', 'node x.js', 'pnpm --filter @rivulet/cli exec esbuild x.js']) {
      assert.equal(packageInstallOf(words(command), '/'), undefined, command);
    }
  });
});
