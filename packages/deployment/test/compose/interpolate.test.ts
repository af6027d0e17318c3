import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterpolationError, interpolate } from '../../src/compose/interpolate.js';

const env = { USER: 'admin', EMPTY: '', HOST: 'minio' };

describe('Compose variable interpolation', () => {
  it('substitutes $VAR and ${VAR}, and $$ is a dollar', () => {
    assert.deepEqual(interpolate('http://$USER@${HOST}:9000 costs $$5', env), { value: 'http://admin@minio:9000 costs $5', unset: [] });
  });

  it('applies :- and - defaults to unset and empty variables as Compose does', () => {
    assert.equal(interpolate('${MISSING:-rivulet}', env).value, 'rivulet');
    assert.equal(interpolate('${EMPTY:-rivulet}', env).value, 'rivulet');
    assert.equal(interpolate('${EMPTY-rivulet}', env).value, '');
    assert.equal(interpolate('${USER:-rivulet}', env).value, 'admin');
    assert.equal(interpolate('${MISSING:-${HOST}:9000}', env).value, 'minio:9000');
  });

  it('applies :+ and + alternatives', () => {
    assert.equal(interpolate('${USER:+set}', env).value, 'set');
    assert.equal(interpolate('${EMPTY:+set}', env).value, '');
    assert.equal(interpolate('${EMPTY+set}', env).value, 'set');
  });

  it('reports variables used without a value or default', () => {
    assert.deepEqual(interpolate('${MISSING}/$ALSO_MISSING', env), { value: '/', unset: ['MISSING', 'ALSO_MISSING'] });
  });

  it('fails on a required variable without a value, and on malformed expressions', () => {
    assert.throws(() => interpolate('${MISSING:?set MISSING in .env}', env, 'services.x.environment.A'), new InterpolationError('services.x.environment.A: required variable MISSING is missing a value: set MISSING in .env'));
    assert.throws(() => interpolate('${USER', env), /unclosed "\$\{"/);
    assert.throws(() => interpolate('${1X}', env), /does not start with a variable name/);
    assert.throws(() => interpolate('${USER/x/y}', env), /unsupported expression "\$\{USER\/x\/y\}"/);
    assert.throws(() => interpolate('cost: 5$', env), /"\$" must start a variable/);
  });
});
