import type { Copy, From } from 'dockerfile-ast';
import { posix } from 'node:path';
import { dockerfileStages, execForm, inheritedInstructions, lastOf, shellCommands, type DockerfileStage } from './dockerfile-stages.js';
import { packageInstallOf, type PackageInstall } from './package-installs.js';

/**
 * The rules the Rivulet image follows (issue 7), checked on the Dockerfile's
 * text. Each violation names its rule and what is wrong, with the line.
 */
export type DockerfileRule =
  | 'multi-stage'
  | 'pinned-base-image'
  | 'node-base-image'
  | 'non-root-user'
  | 'healthcheck'
  | 'entrypoint'
  | 'production-dependencies';

export interface DockerfileViolation {
  readonly rule: DockerfileRule;
  readonly message: string;
}

/** Node's major version the image needs at least (Node 22 LTS; the AWS SDK requires it from 2027). */
export const MINIMUM_NODE_MAJOR = 22;

/** Tags that move: never a pin. */
const FLOATING_TAGS = new Set(['latest', 'lts', 'current', 'stable', 'slim', 'alpine', 'edge', 'nightly']);

function line(instruction: { getRange(): { start: { line: number } } }): string {
  return `line ${instruction.getRange().start.line + 1}`;
}

function isStageReference(from: From, stages: readonly DockerfileStage[]): boolean {
  return stages.some((stage) => stage.name !== undefined && stage.name === from.getImage());
}

function checkBaseImages(stages: readonly DockerfileStage[]): DockerfileViolation[] {
  const out: DockerfileViolation[] = [];
  for (const stage of stages) {
    const from = stage.from;
    if (isStageReference(from, stages)) continue;
    const image = from.getImage() ?? '';
    const where = `FROM ${image} (${line(from)})`;
    if (image.includes('$')) {
      out.push({ rule: 'pinned-base-image', message: `${where}: the image comes from a build argument, so its version cannot be checked: write it out` });
      continue;
    }
    const tag = from.getImageTag();
    const digest = from.getImageDigest();
    if (digest !== null && /^sha256:[0-9a-f]{64}$/.test(digest)) continue;
    if (tag === null) out.push({ rule: 'pinned-base-image', message: `${where}: no tag, so it is "latest": pin an exact version such as node:24.20.0-trixie-slim` });
    else if (FLOATING_TAGS.has(tag) || !/\d+\.\d+\.\d+/.test(tag)) {
      out.push({ rule: 'pinned-base-image', message: `${where}: tag "${tag}" is not an exact version (MAJOR.MINOR.PATCH) or a sha256 digest` });
    }
  }
  return out;
}

function checkNodeBase(final: DockerfileStage): DockerfileViolation[] {
  let stage = final;
  while (stage.parent) stage = stage.parent;
  const from = stage.from;
  const name = (from.getImageName() ?? '').replace(/^(docker\.io\/)?(library\/)?/, '');
  const tag = from.getImageTag() ?? '';
  const major = Number(/^v?(\d+)/.exec(tag)?.[1] ?? NaN);
  if (name !== 'node') return [{ rule: 'node-base-image', message: `the final stage is based on "${from.getImage()}", not the official node image` }];
  if (!(major >= MINIMUM_NODE_MAJOR)) {
    return [{ rule: 'node-base-image', message: `the final stage runs Node ${Number.isNaN(major) ? `"${tag}"` : major}; it needs Node ${MINIMUM_NODE_MAJOR} LTS or newer` }];
  }
  if (!tag.includes('slim')) return [{ rule: 'node-base-image', message: `the final stage's base "${from.getImage()}" is not a slim variant` }];
  return [];
}

function checkUser(final: DockerfileStage): DockerfileViolation[] {
  const user = lastOf(final, 'USER');
  if (!user) return [{ rule: 'non-root-user', message: 'the final stage has no USER instruction, so it runs as root' }];
  const name = (user.getArguments()[0]?.getValue() ?? '').split(':')[0] ?? '';
  if (name === '' || name === 'root' || name === '0') {
    return [{ rule: 'non-root-user', message: `USER ${user.getArgumentsContent() ?? ''} (${line(user)}) is root: run as an unprivileged user` }];
  }
  return [];
}

function checkHealthcheck(final: DockerfileStage): DockerfileViolation[] {
  const healthcheck = lastOf(final, 'HEALTHCHECK');
  if (!healthcheck) return [{ rule: 'healthcheck', message: 'the final stage has no HEALTHCHECK' }];
  const words = healthcheck.getArguments().map((argument) => argument.getValue());
  if (words[0]?.toUpperCase() !== 'CMD') return [{ rule: 'healthcheck', message: `HEALTHCHECK ${words[0] ?? ''} (${line(healthcheck)}) disables the check: give it CMD` }];
  if (execForm(healthcheck) === undefined) {
    return [{ rule: 'healthcheck', message: `HEALTHCHECK (${line(healthcheck)}) uses the shell form: use the exec form ["node", …], slim images have no curl` }];
  }
  return [];
}

/** True for the rivulet CLI: `rivulet`, `/usr/local/bin/rivulet`, or node running its bin or main.js. */
export function isRivuletCli(words: readonly string[]): boolean {
  const [first = '', second = ''] = words;
  if (first === 'rivulet' || first.endsWith('/rivulet')) return true;
  return posix.basename(first) === 'node' && (second.endsWith('/bin/rivulet.js') || second.endsWith('/dist/src/main.js'));
}

function checkEntrypoint(final: DockerfileStage): DockerfileViolation[] {
  const entrypoint = lastOf(final, 'ENTRYPOINT');
  if (!entrypoint) return [{ rule: 'entrypoint', message: 'the final stage has no ENTRYPOINT: it must be the rivulet CLI' }];
  const words = execForm(entrypoint);
  if (words === undefined) {
    return [{ rule: 'entrypoint', message: `ENTRYPOINT (${line(entrypoint)}) uses the shell form: use the exec form so SIGTERM reaches the daemon` }];
  }
  if (!isRivuletCli(words)) return [{ rule: 'entrypoint', message: `ENTRYPOINT ${JSON.stringify(words)} (${line(entrypoint)}) is not the rivulet CLI` }];
  return [];
}

function installsOf(stage: DockerfileStage): PackageInstall[] {
  return inheritedInstructions(stage)
    .filter(({ instruction }) => instruction.getKeyword() === 'RUN')
    .flatMap(({ instruction, workdir }) => shellCommands(instruction).map((words) => packageInstallOf(words, workdir)))
    .filter((install): install is PackageInstall => install !== undefined);
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * The final image gets node_modules only from a production-only install: no
 * install with devDependencies runs in it, nothing is copied from where a
 * stage installed devDependencies (its working tree, a node_modules), and
 * something does provide the production tree.
 */
function checkProductionDependencies(final: DockerfileStage, stages: readonly DockerfileStage[]): DockerfileViolation[] {
  const out: DockerfileViolation[] = [];
  const ownInstalls = installsOf(final);
  for (const install of ownInstalls.filter((i) => i.kind !== 'production-deploy' && i.kind !== 'production-install')) {
    out.push({ rule: 'production-dependencies', message: `the final stage runs "${install.command}", which installs devDependencies: add --prod (npm: --omit=dev)` });
  }
  let providesProduction = ownInstalls.some((i) => i.kind === 'production-install' || i.kind === 'production-deploy');
  for (const { instruction } of final.instructions) {
    if (instruction.getKeyword() !== 'COPY' && instruction.getKeyword() !== 'ADD') continue;
    const fromName = (instruction as Copy).getFromFlag?.()?.getValue();
    if (fromName === undefined || fromName === null) continue;
    const source = stages.find((stage) => stage.name === fromName || String(stage.index) === fromName);
    if (!source) continue; // an outside image: not a stage of this file
    const installs = installsOf(source);
    const deployTargets = installs.flatMap((i) => (i.kind === 'production-deploy' ? [i.target] : []));
    const fullInstall = installs.find((i) => i.kind === 'full-install');
    const sourceDir = lastWorkdirOf(source);
    // Paths of COPY --from are relative to the source stage's root, not its WORKDIR.
    const paths = instruction.getArguments().map((a) => a.getValue()).slice(0, -1).map((p) => posix.resolve('/', p));
    for (const path of paths) {
      if (deployTargets.some((target) => within(path, target))) {
        providesProduction = true;
        continue;
      }
      const copiesInstall = path.split('/').includes('node_modules') || within(sourceDir, path);
      if (fullInstall && copiesInstall) {
        out.push({
          rule: 'production-dependencies',
          message: `COPY --from=${fromName} ${path} (${line(instruction)}) copies what "${fullInstall.command}" installed, devDependencies included: copy the output of "pnpm deploy --prod DIR" instead`,
        });
      }
    }
  }
  if (!providesProduction && out.length === 0) {
    out.push({
      rule: 'production-dependencies',
      message: 'no production-only install (pnpm deploy --prod DIR, pnpm install --prod, npm ci --omit=dev) provides the final stage\'s dependencies',
    });
  }
  return out;
}

function lastWorkdirOf(stage: DockerfileStage): string {
  const all = inheritedInstructions(stage);
  return all[all.length - 1]?.workdir ?? '/';
}

/** Lints a Dockerfile's text; an empty list means it follows every rule. */
export function lintDockerfile(text: string): DockerfileViolation[] {
  const stages = dockerfileStages(text);
  const final = stages[stages.length - 1];
  if (!final) return [{ rule: 'multi-stage', message: 'no FROM instruction' }];
  const out: DockerfileViolation[] = [];
  if (stages.length < 2) out.push({ rule: 'multi-stage', message: 'one stage only: build in one stage and copy the result into a clean final stage' });
  out.push(
    ...checkBaseImages(stages),
    ...checkNodeBase(final),
    ...checkUser(final),
    ...checkHealthcheck(final),
    ...checkEntrypoint(final),
    ...checkProductionDependencies(final, stages),
  );
  return out;
}
