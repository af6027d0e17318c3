import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, isJobDefinition, JOB_DEFINITION_BRAND, JobGraphError } from '../src/index.js';

describe('defineJob and isJobDefinition', () => {
  const job = defineJob((env) => void env.fromSequence(1, 3).print(), { name: 'tiny' });

  test('a defined job is branded with the registered symbol', () => {
    assert.equal(JOB_DEFINITION_BRAND, Symbol.for('rivulet.job.v1'));
    assert.equal(job[JOB_DEFINITION_BRAND], true);
    assert.equal(job.name, 'tiny');
    assert.ok(Object.isFrozen(job));
    assert.equal(isJobDefinition(job), true);
  });

  test('a copy made by another copy of the package is recognised (brand, not instanceof)', () => {
    const foreign = { [Symbol.for('rivulet.job.v1')]: true, name: undefined, compile: () => ({}) };
    assert.equal(isJobDefinition(foreign), true);
  });

  test('other values are not job definitions', () => {
    const buildFunction = (): void => {};
    const notJobs: unknown[] = [
      buildFunction,
      { compile: () => ({}) },
      { [JOB_DEFINITION_BRAND]: true },
      { [JOB_DEFINITION_BRAND]: 'yes', compile: () => ({}) },
      { [JOB_DEFINITION_BRAND]: true, compile: 'not a function' },
      { [Symbol('rivulet.job.v1')]: true, compile: () => ({}) },
      null,
      undefined,
      42,
      'job',
    ];
    for (const value of notJobs) assert.equal(isJobDefinition(value), false, `${String(value)} is not a job`);
  });

  test('defineJob refuses a missing build function or an empty name', () => {
    assert.throws(() => defineJob(undefined as never), (err) => err instanceof JobGraphError && err.message === 'defineJob() needs a build function, got undefined');
    assert.throws(
      () => defineJob(() => {}, { name: '' }),
      (err) => err instanceof JobGraphError && err.message === 'defineJob(): the job name must be a non-empty string, got ""',
    );
  });

  test('defining a job runs nothing; compile runs the build function each time', () => {
    let runs = 0;
    const counted = defineJob((env) => {
      runs += 1;
      env.fromSequence(1, 2).print();
    });
    assert.equal(runs, 0);
    counted.compile({ defaultParallelism: 1 });
    counted.compile({ defaultParallelism: 1 });
    assert.equal(runs, 2);
  });
});
