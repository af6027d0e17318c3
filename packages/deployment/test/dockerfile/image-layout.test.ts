import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, it } from 'node:test';
import type { Copy } from 'dockerfile-ast';
import { DAEMON_NODE_FLAGS } from '@rivulet/common';
import { REPO_ROOT } from '@rivulet/testing';
import { dockerfileStages, execForm, lastOf, shellCommands, type DockerfileStage } from '../../src/dockerfile/dockerfile-stages.js';

/**
 * The paths deploy/Dockerfile wires together — what the build stage writes,
 * what the final stage copies, what HEALTHCHECK and ENTRYPOINT run — agree
 * with each other and with the repository. (Docker cannot build the image
 * here; these are the mistakes a build would show only at run time.)
 */
const stages = dockerfileStages(readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8'));
const build = stages.find((stage) => stage.name === 'build');
const final = stages[stages.length - 1]!;

function runCommands(stage: DockerfileStage): Array<{ words: string[]; workdir: string }> {
  return stage.instructions
    .filter(({ instruction }) => instruction.getKeyword() === 'RUN')
    .flatMap(({ instruction, workdir }) => shellCommands(instruction).map((words) => ({ words, workdir })));
}

/** Where a file the build stage wrote at `buildPath` ends up in the final image, via COPY --from=build. */
function finalPathOf(buildPath: string): string | undefined {
  for (const { instruction } of final.instructions) {
    if (instruction.getKeyword() !== 'COPY') continue;
    const args = instruction.getArguments().map((a) => a.getValue());
    const [source, target] = [args[0]!, args[args.length - 1]!];
    const from = (instruction as Copy).getFromFlag()?.getValue();
    if (from === 'build' && (buildPath === source || buildPath.startsWith(`${source}/`))) return posix.join(target, posix.relative(source, buildPath));
  }
  return undefined;
}

describe('deploy/Dockerfile layout', () => {
  it('has a build stage working in /src, where the build context is copied', () => {
    assert.ok(build, 'no stage named "build"');
    const copy = build.instructions.find(({ instruction }) => instruction.getKeyword() === 'COPY' && instruction.getArgumentsContent() === '. .');
    assert.equal(copy?.workdir, '/src');
  });

  it('bundles the healthcheck the repository compiles, to where HEALTHCHECK runs it', () => {
    const esbuild = runCommands(build!).find(({ words }) => words.includes('esbuild'));
    assert.ok(esbuild, 'no esbuild command in the build stage');
    const input = esbuild.words.find((w) => w.endsWith('healthcheck.js'))!;
    const local = join(REPO_ROOT, posix.relative('/src', input));
    assert.equal(relative(REPO_ROOT, local), join('packages', 'deployment', 'dist', 'src', 'dockerfile', 'healthcheck.js'));
    assert.ok(existsSync(local), `${local} does not exist (is packages/deployment built?)`);
    const outfile = esbuild.words.find((w) => w.startsWith('--outfile='))!.slice('--outfile='.length);
    const healthcheck = execForm(lastOf(final, 'HEALTHCHECK')!);
    assert.deepEqual(healthcheck, ['node', finalPathOf(outfile)]);
  });

  it('puts the rivulet CLI of the deployed @rivulet/cli on the PATH as the ENTRYPOINT', () => {
    assert.deepEqual(execForm(lastOf(final, 'ENTRYPOINT')!), ['rivulet']);
    const link = runCommands(final).find(({ words }) => words[0] === 'ln' && words.includes('/usr/local/bin/rivulet'));
    assert.ok(link, 'no "ln -s … /usr/local/bin/rivulet" in the final stage');
    const target = link.words[link.words.length - 2]!;
    const deploy = runCommands(build!).find(({ words }) => words.includes('deploy'))!;
    assert.deepEqual(deploy.words.slice(0, 5), ['pnpm', '--filter', '@rivulet/cli', '--prod', 'deploy']);
    const deployDir = deploy.words[5]!;
    assert.equal(finalPathOf(posix.join(deployDir, 'bin', 'rivulet.js')), target);
    const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'rivulet.js');
    assert.ok((statSync(bin).mode & 0o111) !== 0, `${bin} is not executable`);
    const cli = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string>; dependencies: Record<string, string> };
    assert.equal(cli.bin['rivulet'], './bin/rivulet.js');
    // `rivulet run` bundles job modules: esbuild is a production dependency of the CLI.
    assert.ok(cli.dependencies['esbuild'], '@rivulet/cli must list esbuild under dependencies');
  });

  it('ships the examples at /examples and runs as uid 1000 in /', () => {
    assert.equal(finalPathOf('/src/examples/wordcount.ts'), '/examples/wordcount.ts');
    assert.ok(existsSync(join(REPO_ROOT, 'examples', 'wordcount.ts')));
    assert.equal(lastOf(final, 'USER')!.getArgumentsContent(), '1000:1000');
    assert.equal(final.instructions[final.instructions.length - 1]!.workdir, '/');
  });

  it('installs the pnpm version scripts/setup.sh pins', () => {
    const setup = readFileSync(join(REPO_ROOT, 'scripts', 'setup.sh'), 'utf8');
    const pinned = /PNPM_VERSION="([^"]+)"/.exec(setup)?.[1];
    const install = runCommands(build!).find(({ words }) => words.some((w) => w.startsWith('pnpm@')));
    assert.equal(install?.words.find((w) => w.startsWith('pnpm@')), `pnpm@${pinned}`);
  });
  it('starts the daemons with the Node.js flags `rivulet local` gives them (NODE_OPTIONS): their main thread\'s capped young generation', () => {
    const env = final.instructions
      .filter(({ instruction }) => instruction.getKeyword() === 'ENV')
      .map(({ instruction }) => instruction.getArgumentsContent() ?? '')
      .find((content) => content.startsWith('NODE_OPTIONS='));
    assert.ok(env, 'the final stage sets no NODE_OPTIONS');
    assert.deepEqual(env.slice('NODE_OPTIONS='.length).split(' '), [...DAEMON_NODE_FLAGS]);
  });
});
