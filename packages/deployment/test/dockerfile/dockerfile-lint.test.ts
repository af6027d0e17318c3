import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '@rivulet/testing';
import { lintDockerfile, type DockerfileRule } from '../../src/dockerfile/dockerfile-lint.js';

const DOCKERFILE = join(REPO_ROOT, 'deploy', 'Dockerfile');

/** A small Dockerfile that follows every rule; each negative case below breaks one. */
const GOOD = `
FROM node:24.20.0-trixie-slim AS build
WORKDIR /src
COPY . .
RUN npm install --global pnpm@12.21.0 && pnpm install --frozen-lockfile && pnpm run build
RUN pnpm --filter @rivulet/cli --prod deploy /out

FROM node:24.20.0-trixie-slim
COPY --from=build /out /opt/rivulet
COPY --from=build /src/examples /examples
USER 1000:1000
HEALTHCHECK --interval=10s CMD ["node", "/opt/rivulet/healthcheck.mjs"]
ENTRYPOINT ["node", "/opt/rivulet/bin/rivulet.js"]
`;

function rulesOf(text: string): DockerfileRule[] {
  return [...new Set(lintDockerfile(text).map((violation) => violation.rule))].sort();
}

function replaced(from: string, to: string): string {
  assert.ok(GOOD.includes(from), `test bug: "${from}" is not in the good Dockerfile`);
  return GOOD.replace(from, to);
}

describe('deploy/Dockerfile lint', () => {
  it('deploy/Dockerfile follows every rule', () => {
    assert.deepEqual(lintDockerfile(readFileSync(DOCKERFILE, 'utf8')), []);
  });

  it('the small reference Dockerfile of these tests follows every rule', () => {
    assert.deepEqual(lintDockerfile(GOOD), []);
  });

  const cases: Array<{ name: string; text: string; rule: DockerfileRule; mentions: string }> = [
    {
      name: 'a single stage',
      text: 'FROM node:24.20.0-trixie-slim\nCOPY out /opt/rivulet\nRUN npm ci --omit=dev\nUSER node\nHEALTHCHECK CMD ["node", "/h.mjs"]\nENTRYPOINT ["rivulet"]\n',
      rule: 'multi-stage',
      mentions: 'one stage',
    },
    { name: 'a base image without a tag', text: replaced('FROM node:24.20.0-trixie-slim AS build', 'FROM node AS build'), rule: 'pinned-base-image', mentions: 'latest' },
    { name: 'the latest tag', text: replaced('FROM node:24.20.0-trixie-slim AS build', 'FROM node:latest AS build'), rule: 'pinned-base-image', mentions: '"latest"' },
    { name: 'a major-only tag', text: replaced('FROM node:24.20.0-trixie-slim AS build', 'FROM node:24-slim AS build'), rule: 'pinned-base-image', mentions: '"24-slim"' },
    { name: 'an image from a build argument', text: `ARG BASE=node:24.20.0-trixie-slim\n${replaced('FROM node:24.20.0-trixie-slim AS build', 'FROM $BASE AS build')}`, rule: 'pinned-base-image', mentions: 'build argument' },
    { name: 'Node 20 in the final stage', text: replaced('FROM node:24.20.0-trixie-slim\n', 'FROM node:20.19.5-bookworm-slim\n'), rule: 'node-base-image', mentions: 'Node 20' },
    { name: 'a full (not slim) Node image', text: replaced('FROM node:24.20.0-trixie-slim\n', 'FROM node:24.20.0-trixie\n'), rule: 'node-base-image', mentions: 'slim' },
    { name: 'no USER', text: replaced('USER 1000:1000\n', ''), rule: 'non-root-user', mentions: 'runs as root' },
    { name: 'USER root', text: replaced('USER 1000:1000\n', 'USER root\n'), rule: 'non-root-user', mentions: 'is root' },
    { name: 'USER 0:0', text: replaced('USER 1000:1000\n', 'USER 0:0\n'), rule: 'non-root-user', mentions: 'is root' },
    { name: 'no HEALTHCHECK', text: replaced('HEALTHCHECK --interval=10s CMD ["node", "/opt/rivulet/healthcheck.mjs"]\n', ''), rule: 'healthcheck', mentions: 'no HEALTHCHECK' },
    { name: 'HEALTHCHECK NONE', text: replaced('HEALTHCHECK --interval=10s CMD ["node", "/opt/rivulet/healthcheck.mjs"]', 'HEALTHCHECK NONE'), rule: 'healthcheck', mentions: 'disables' },
    {
      name: 'a HEALTHCHECK needing curl',
      text: replaced('HEALTHCHECK --interval=10s CMD ["node", "/opt/rivulet/healthcheck.mjs"]', 'HEALTHCHECK CMD curl -f http://localhost:8081/healthz'),
      rule: 'healthcheck',
      mentions: 'shell form',
    },
    { name: 'no ENTRYPOINT', text: replaced('ENTRYPOINT ["node", "/opt/rivulet/bin/rivulet.js"]\n', ''), rule: 'entrypoint', mentions: 'no ENTRYPOINT' },
    { name: 'an ENTRYPOINT in shell form', text: replaced('ENTRYPOINT ["node", "/opt/rivulet/bin/rivulet.js"]', 'ENTRYPOINT node /opt/rivulet/bin/rivulet.js'), rule: 'entrypoint', mentions: 'shell form' },
    { name: 'an ENTRYPOINT that is not the CLI', text: replaced('ENTRYPOINT ["node", "/opt/rivulet/bin/rivulet.js"]', 'ENTRYPOINT ["node", "/opt/rivulet/server.js"]'), rule: 'entrypoint', mentions: 'not the rivulet CLI' },
    {
      name: 'copying the whole workspace (devDependencies included)',
      text: replaced('COPY --from=build /out /opt/rivulet', 'COPY --from=build /src /opt/rivulet'),
      rule: 'production-dependencies',
      mentions: 'pnpm install --frozen-lockfile',
    },
    {
      name: 'copying a node_modules the full install made',
      text: replaced('COPY --from=build /out /opt/rivulet', 'COPY --from=build /src/node_modules /opt/rivulet/node_modules'),
      rule: 'production-dependencies',
      mentions: 'devDependencies included',
    },
    {
      name: 'a deploy without --prod',
      text: replaced('RUN pnpm --filter @rivulet/cli --prod deploy /out', 'RUN pnpm --filter @rivulet/cli deploy /out'),
      rule: 'production-dependencies',
      mentions: 'no production-only install',
    },
    {
      name: 'an install with devDependencies in the final stage',
      text: replaced('USER 1000:1000\n', 'RUN cd /opt/rivulet && npm ci\nUSER 1000:1000\n'),
      rule: 'production-dependencies',
      mentions: '"npm ci"',
    },
  ];

  for (const { name, text, rule, mentions } of cases) {
    it(`fails ${rule} for ${name}`, () => {
      const violations = lintDockerfile(text);
      assert.deepEqual(rulesOf(text), [rule], `violations: ${JSON.stringify(violations)}`);
      assert.ok(violations.some((v) => v.message.includes(mentions)), `no message mentions ${JSON.stringify(mentions)}: ${JSON.stringify(violations)}`);
    });
  }

  it('accepts a final stage that installs production dependencies itself', () => {
    const text = replaced('COPY --from=build /out /opt/rivulet', 'COPY --from=build /src/packages /opt/rivulet/packages\nRUN cd /opt/rivulet && npm ci --omit=dev');
    assert.deepEqual(lintDockerfile(text), []);
  });

  it('flags the first-cut Dockerfile this issue replaced on every rule it broke', () => {
    const firstCut = [
      'FROM node:22.12-bookworm-slim AS build',
      'WORKDIR /src',
      'RUN npm install --global pnpm@12.21.0',
      'COPY . .',
      'RUN pnpm install --frozen-lockfile && pnpm build',
      '',
      'FROM node:22.12-bookworm-slim',
      'WORKDIR /opt/rivulet',
      'COPY --from=build /src /opt/rivulet',
      'ENTRYPOINT ["node", "/opt/rivulet/packages/cli/dist/src/main.js"]',
    ].join('\n');
    assert.deepEqual(rulesOf(firstCut), ['healthcheck', 'non-root-user', 'pinned-base-image', 'production-dependencies']);
  });
});
