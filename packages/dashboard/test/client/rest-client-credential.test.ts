import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { getJson, RestError, sendAction } from '../../src/client/rest-client.js';

/**
 * The dashboard's one path for requests with the client token (docs/security.md):
 * asked for on a 401, kept in sessionStorage, sent as a Bearer header,
 * forgotten when refused. fetch, prompt and sessionStorage are stand-ins
 * for the browser's; the JobManager's answers are scripted.
 */
const TOKEN = 'abcdef0123456789abcdef';

interface Seen { readonly method: string; readonly authorization: string | undefined }
let seen: Seen[];
let prompts: string[];
let answers: Array<string | null>;
let store: Map<string, string>;
const originals = { fetch: globalThis.fetch, prompt: (globalThis as { prompt?: unknown }).prompt, sessionStorage: (globalThis as { sessionStorage?: unknown }).sessionStorage };

function jobManager(accepts: (authorization: string | undefined) => boolean): void {
  globalThis.fetch = (async (_path: string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    seen.push({ method: init?.method ?? 'GET', authorization: headers['authorization'] });
    if (accepts(headers['authorization'])) return new Response(JSON.stringify({ ok: true }), { status: 200 });
    return new Response(JSON.stringify({ errors: ['PATCH /jobs/:id needs a client token'] }), { status: 401 });
  }) as typeof fetch;
}

beforeEach(() => {
  seen = [];
  prompts = [];
  answers = [];
  store = new Map();
  Object.assign(globalThis, {
    prompt: (message: string) => {
      prompts.push(message);
      return answers.shift() ?? null;
    },
    sessionStorage: {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => void store.set(key, value),
      removeItem: (key: string) => void store.delete(key),
    },
  });
});

afterEach(() => {
  Object.assign(globalThis, originals);
});

describe('the dashboard\'s client credential', () => {
  test('an action answered 401 asks for the token once, sends it again, and keeps it for the next requests', async () => {
    jobManager((authorization) => authorization === `Bearer ${TOKEN}`);
    answers.push(` ${TOKEN} `);
    assert.deepEqual(await sendAction('PATCH', '/jobs/x?mode=cancel'), { ok: true });
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!, /needs a client token/);
    assert.deepEqual(seen.map((s) => s.authorization), [undefined, `Bearer ${TOKEN}`]);
    assert.deepEqual(await getJson('/overview'), { ok: true });
    assert.equal(seen.at(-1)?.authorization, `Bearer ${TOKEN}`, 'later requests carry it');
    assert.equal(prompts.length, 1, 'asked once');
  });

  test('a refused token is forgotten and the action fails with the JobManager\'s reason', async () => {
    jobManager(() => false);
    answers.push('not-the-token-0123456789');
    await assert.rejects(sendAction('POST', '/jobs/x/savepoints', {}), (err: unknown) => err instanceof RestError && err.status === 401 && /needs a client token/.test(err.message));
    assert.equal(store.size, 0, 'nothing kept');
  });

  test('a cancelled prompt is not asked again for polled reads, but is for an action', async () => {
    jobManager(() => false);
    await assert.rejects(getJson('/jobs'), RestError);
    await assert.rejects(getJson('/jobs'), RestError);
    assert.equal(prompts.length, 1, 'polling does not ask again');
    await assert.rejects(sendAction('PATCH', '/jobs/x?mode=cancel'), RestError);
    assert.equal(prompts.length, 2, 'an action asks');
  });
});
