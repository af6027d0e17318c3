import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dockerfileStages, execForm, lastOf, shellArgv, shellCommands } from '../../src/dockerfile/dockerfile-stages.js';

describe('reading a Dockerfile by stage', () => {
  const text = [
    'FROM node:24.20.0-trixie-slim AS base',
    'WORKDIR /app',
    'USER 1000',
    'FROM base AS runtime',
    'WORKDIR sub',
    `RUN a && b "x && y; z" 'q;' ; c --flag=1 | d; e`,
    'HEALTHCHECK --interval=5s CMD ["node", "/h.mjs"]',
    'ENTRYPOINT ["rivulet"]',
  ].join('\n');
  const [base, runtime] = dockerfileStages(text);

  it('knows stage names, parents and working directories', () => {
    assert.equal(base?.name, 'base');
    assert.equal(runtime?.parent, base);
    assert.deepEqual(runtime?.instructions.map((i) => i.workdir), ['/app/sub', '/app/sub', '/app/sub', '/app/sub']);
    assert.equal(lastOf(runtime!, 'USER')?.getArgumentsContent(), '1000', 'USER is inherited from the parent stage');
  });

  it('splits RUN into commands outside quotes and rebuilds their argv', () => {
    const run = runtime!.instructions.find((i) => i.instruction.getKeyword() === 'RUN')!.instruction;
    const commands = shellCommands(run);
    assert.deepEqual(commands.map(shellArgv), [['a'], ['b', 'x && y; z', 'q;'], ['c', '--flag=1'], ['d'], ['e']]);
  });

  it('reads exec forms of HEALTHCHECK and ENTRYPOINT', () => {
    assert.deepEqual(execForm(lastOf(runtime!, 'HEALTHCHECK')!), ['node', '/h.mjs']);
    assert.deepEqual(execForm(lastOf(runtime!, 'ENTRYPOINT')!), ['rivulet']);
    assert.equal(execForm(dockerfileStages('FROM x:1.2.3\nENTRYPOINT rivulet jobmanager')[0]!.instructions[0]!.instruction), undefined);
  });
});
