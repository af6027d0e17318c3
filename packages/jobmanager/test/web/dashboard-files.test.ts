import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, createMetricsRegistry, silentLogger } from '@rivulet/common';
import type { FastifyInstance } from 'fastify';
import { ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL, registerDashboardFiles } from '../../src/web/dashboard-files.js';

const root = mkdtempSync(join(tmpdir(), 'rivulet-dashboard-files-'));
const built = join(root, 'web');
mkdirSync(join(built, 'assets'), { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>Rivulet</title>');
writeFileSync(join(built, 'assets', 'app-ABC123.js'), 'console.log(1)');
writeFileSync(join(built, 'assets', 'app-ABC123.css'), 'body{}');
writeFileSync(join(built, 'assets', 'notes.exe'), 'MZ');
writeFileSync(join(root, 'secret.js'), 'TOP-SECRET-CONTENT');
symlinkSync(join(root, 'secret.js'), join(built, 'assets', 'escape.js'));

function server(assetsDir: string): FastifyInstance {
  const app = createHttpServer({ log: silentLogger(), metrics: createMetricsRegistry('jobmanager'), health: () => ({ healthy: true, details: {} }) });
  app.get('/overview', async () => ({ taskmanagers: 0 }));
  app.get<{ Params: { id: string } }>('/jobs/:id', async (request) => ({ jid: request.params.id }));
  registerDashboardFiles(app, assetsDir);
  return app;
}

describe('the JobManager serving the dashboard', () => {
  const app = server(built);
  before(() => app.ready());
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('/ and /index.html are the page, asked again every time', async () => {
    for (const url of ['/', '/index.html']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['cache-control'], PAGE_CACHE_CONTROL);
      assert.match(response.body, /<title>Rivulet<\/title>/);
    }
  });

  test('hashed assets with their content types, cached for good', async () => {
    const js = await app.inject({ url: '/assets/app-ABC123.js' });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], ASSET_CACHE_CONTROL);
    assert.equal(js.body, 'console.log(1)');
    const css = await app.inject({ url: '/assets/app-ABC123.css' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  });

  test('nothing outside assets/, nor a type it does not know, is served', async () => {
    for (const url of [
      '/assets/..%2F..%2Fsecret.js', '/assets/..%2Findex.html', '/assets/%2e%2e/%2e%2e/secret.js', '/assets/escape.js',
      '/assets/notes.exe', '/assets/missing.js', '/assets/', '/assets/.%00.js',
    ]) {
      const response = await app.inject({ url, headers: { accept: 'application/json' } });
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /TOP-SECRET-CONTENT/);
    }
  });

  test('an unknown path a browser navigates to gets the page; the REST API and JSON clients are unchanged', async () => {
    const navigation = await app.inject({ url: '/some/old/bookmark', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(navigation.statusCode, 200);
    assert.match(navigation.body, /<title>Rivulet<\/title>/);
    const script = await app.inject({ url: '/some/old/bookmark', headers: { accept: 'application/json' } });
    assert.equal(script.statusCode, 404);
    assert.deepEqual(script.json(), { errors: ['Not found: GET /some/old/bookmark'] });
    assert.deepEqual((await app.inject({ url: '/overview', headers: { accept: 'text/html' } })).json(), { taskmanagers: 0 });
    assert.deepEqual((await app.inject({ url: '/jobs/abc' })).json(), { jid: 'abc' });
    assert.equal((await app.inject({ method: 'POST', url: '/nope' })).statusCode, 404);
  });

  test('without a built dashboard the page says how to build it; the REST API still answers', async () => {
    const bare = server(join(root, 'not-built'));
    const page = await bare.inject({ url: '/' });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /pnpm run build/);
    assert.equal((await bare.inject({ url: '/overview' })).statusCode, 200);
    await bare.close();
  });
});
