'use strict';

// The admin API end to end (API.md §1): keys created with the bootstrap key and used on the
// OpenAI-compatible API, listing with cursors, revocation and rotation taking effect at once,
// scopes, validation, usage reports, and keys surviving a restart.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { assertError, startGateway, testProvider, waitFor } = require('../lib/gateway');

const BOOTSTRAP = `bootstrap-${crypto.randomBytes(16).toString('hex')}`;
const admin = { 'X-API-Key': BOOTSTRAP };
const chatBody = { model: 'test-model', messages: [{ role: 'user', content: 'hi' }] };
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const KEY_FIELDS = [
  'id', 'name', 'key_prefix', 'scopes', 'allowed_models', 'ip_allowlist', 'expires_at',
  'rate_limit_rpm', 'rate_limit_rpd', 'rate_limit_tpm', 'rate_limit_tpd', 'concurrent_requests',
  'budget_limit_cents', 'budget_period', 'created_at', 'revoked_at', 'last_used_at',
];

const dirs = [];
function newDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-admin-'));
  dirs.push(dir);
  return path.join(dir, 'hadrian.db');
}

function config(dbPath) {
  return {
    database: { type: 'sqlite', path: dbPath },
    auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
    providers: { default_provider: 'test', test: testProvider() },
  };
}

let dbPath;
let gw;

before(async () => {
  dbPath = newDb();
  gw = await startGateway({ config: config(dbPath) });
});

after(async () => {
  if (gw) {
    await gw.dispose();
  }
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

// --- helpers -------------------------------------------------------------------------------

async function createKey(fields = {}, headers = admin, on = gw) {
  const res = await on.post('/admin/v1/api-keys', { name: 'test key', ...fields }, { headers });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

function chat(key, on = gw) {
  return on.post('/api/v1/chat/completions', chatBody, {
    headers: { Authorization: `Bearer ${key}` },
  });
}

function adminRequest(method, pathname, body, headers = admin, on = gw) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return on.fetch(pathname, init).then(async (res) => {
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  });
}

function assertKeyShape(key) {
  for (const field of KEY_FIELDS) {
    assert.ok(field in key, `${field} missing: ${JSON.stringify(key)}`);
  }
  assert.ok(!('key_hash' in key), 'the hash is never shown');
  assert.match(key.id, /^key_[0-9a-z]{26}$/);
  assert.match(key.created_at, RFC3339_RE);
  for (const field of ['expires_at', 'revoked_at', 'last_used_at']) {
    if (key[field] !== null) {
      assert.match(key[field], RFC3339_RE, field);
    }
  }
}

const seconds = (rfc3339) => Date.parse(rfc3339) / 1000;

// --- keys ----------------------------------------------------------------------------------

test('a key created with the bootstrap key works on chat completions', async () => {
  const key = await createKey({ name: 'first' });
  assertKeyShape(key);
  assert.match(key.key, /^gw_live_[A-Za-z0-9_-]{43}$/);
  assert.equal(key.key_prefix, key.key.slice(0, 12));
  assert.equal(key.name, 'first');
  assert.deepEqual(key.scopes, ['chat', 'completions', 'embeddings', 'models']);
  assert.equal(key.revoked_at, null);
  assert.ok(Math.abs(seconds(key.created_at) - Date.now() / 1000) < 60);

  const res = await chat(key.key);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'chat.completion');
  const viaHeader = await gw.post('/api/v1/chat/completions', chatBody, {
    headers: { 'X-API-Key': key.key },
  });
  assert.equal(viaHeader.status, 200, viaHeader.text);
});

test('requests without a key or with a garbage key get 401', async () => {
  assertError(await gw.post('/api/v1/chat/completions', chatBody), {
    status: 401,
    code: 'missing_credentials',
    type: 'authentication_error',
  });
  for (const garbage of ['nonsense', `gw_live_${'A'.repeat(43)}`, BOOTSTRAP]) {
    assertError(await chat(garbage), { status: 401, code: 'invalid_api_key' });
  }
  assertError(await gw.get('/admin/v1/api-keys'), { status: 401, code: 'missing_credentials' });
  assertError(await gw.get('/admin/v1/api-keys', { headers: { 'X-API-Key': 'nope' } }), {
    status: 401,
    code: 'invalid_api_key',
  });
});

test('a key without the chat scope gets 403 on chat and 200 on models', async () => {
  const key = await createKey({ name: 'models only', scopes: ['models'] });
  assertError(await chat(key.key), {
    status: 403,
    code: 'insufficient_scope',
    type: 'permission_error',
  });
  const models = await gw.get('/api/v1/models', { headers: { Authorization: `Bearer ${key.key}` } });
  assert.equal(models.status, 200, models.text);
});

test('a key used from outside its ip_allowlist gets 403, the first time and once cached', async () => {
  const outside = await createKey({ name: 'elsewhere', ip_allowlist: ['10.0.0.0/8'] });
  for (let i = 0; i < 2; i++) {
    assertError(await chat(outside.key), {
      status: 403,
      code: 'ip_not_allowed',
      type: 'permission_error',
    });
  }
  const inside = await createKey({ name: 'here', ip_allowlist: ['127.0.0.1/32', '::1'] });
  for (let i = 0; i < 2; i++) {
    const res = await chat(inside.key);
    assert.equal(res.status, 200, res.text);
  }
  // A key refused by scope after a request that cached it is refused again.
  const modelsOnly = await createKey({ name: 'models, cached', scopes: ['models'] });
  const headers = { Authorization: `Bearer ${modelsOnly.key}` };
  assert.equal((await gw.get('/api/v1/models', { headers })).status, 200);
  assertError(await chat(modelsOnly.key), { status: 403, code: 'insufficient_scope' });
});

test("a key's allowed models are checked on every request, whoever routed the model before", async () => {
  const open = await createKey({ name: 'any model' });
  const narrow = await createKey({ name: 'one model', allowed_models: ['test/test-model'] });
  const ask = (key, model) =>
    gw.post('/api/v1/chat/completions', { ...chatBody, model }, {
      headers: { Authorization: `Bearer ${key.key}` },
    });
  // Twice: the second time the gateway has routed each model before, for either key.
  for (let i = 0; i < 2; i++) {
    const other = await ask(open, 'test/other-model');
    assert.equal(other.status, 200, other.text);
    assertError(await ask(narrow, 'test/other-model'), {
      status: 403,
      code: 'model_not_allowed',
      type: 'permission_error',
      param: 'model',
    });
    for (const model of ['test/test-model', 'test-model']) {
      const allowed = await ask(narrow, model);
      assert.equal(allowed.status, 200, allowed.text);
      assert.equal(allowed.headers.get('x-model'), 'test-model');
    }
  }
});

test('the admin API needs the admin scope', async () => {
  const plain = await createKey({ name: 'no admin' });
  const headers = { Authorization: `Bearer ${plain.key}` };
  assertError(await gw.get('/admin/v1/api-keys', { headers }), {
    status: 403,
    code: 'insufficient_scope',
  });
  assertError(await gw.post('/admin/v1/api-keys', { name: 'x' }, { headers }), {
    status: 403,
    code: 'insufficient_scope',
  });
  assertError(await gw.get('/admin/v1/usage', { headers }), {
    status: 403,
    code: 'insufficient_scope',
  });

  const adminKey = await createKey({ name: 'operator', scopes: ['admin'] });
  const adminHeaders = { Authorization: `Bearer ${adminKey.key}` };
  const created = await createKey({ name: 'made by an admin key' }, adminHeaders);
  assert.equal((await chat(created.key)).status, 200);
  const list = await gw.get('/admin/v1/api-keys', { headers: adminHeaders });
  assert.equal(list.status, 200, list.text);
});

test('a SQL-looking name is stored verbatim', async () => {
  const name = "Robert'); DROP TABLE api_keys; -- \"quoted\" ünïcode";
  const key = await createKey({ name });
  assert.equal(key.name, name);
  const got = await gw.get(`/admin/v1/api-keys/${key.id}`, { headers: admin });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.name, name);
  const list = await gw.get('/admin/v1/api-keys', { headers: admin });
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.data.some((k) => k.id === key.id && k.name === name));
});

test('every setting is stored and shown', async () => {
  const key = await createKey({
    name: 'full',
    scopes: ['chat', 'models'],
    allowed_models: ['test-*', 'other/model'],
    ip_allowlist: ['127.0.0.1/32', '::1'],
    expires_at: '2099-01-01T00:00:00Z',
    rate_limit_rpm: 600,
    rate_limit_rpd: 10000,
    rate_limit_tpm: 100000,
    rate_limit_tpd: 1000000,
    concurrent_requests: 8,
    budget_limit_cents: 5000,
    budget_period: 'monthly',
  });
  assertKeyShape(key);
  assert.deepEqual(key.scopes, ['chat', 'models']);
  assert.deepEqual(key.allowed_models, ['test-*', 'other/model']);
  assert.deepEqual(key.ip_allowlist, ['127.0.0.1/32', '::1/128']);
  assert.equal(key.expires_at, '2099-01-01T00:00:00Z');
  assert.equal(key.rate_limit_rpm, 600);
  assert.equal(key.rate_limit_rpd, 10000);
  assert.equal(key.rate_limit_tpm, 100000);
  assert.equal(key.rate_limit_tpd, 1000000);
  assert.equal(key.concurrent_requests, 8);
  assert.equal(key.budget_limit_cents, 5000);
  assert.equal(key.budget_period, 'monthly');
  const got = await gw.get(`/admin/v1/api-keys/${key.id}`, { headers: admin });
  const { key: _raw, ...shown } = key;
  assert.deepEqual(got.json, shown);
  assert.equal((await chat(key.key)).status, 200);
});

test('invalid key settings are rejected with the field named, and nothing is stored', async () => {
  const before = await gw.get('/admin/v1/api-keys?limit=1000', { headers: admin });
  const cases = [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(129) }, 'name'],
    [{ name: 'n', scopes: ['chat', 'superuser'] }, 'scopes'],
    [{ name: 'n', allowed_models: ['gpt-*-mini'] }, 'allowed_models'],
    [{ name: 'n', ip_allowlist: ['300.1.1.1/8'] }, 'ip_allowlist'],
    [{ name: 'n', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'n', expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'n', rate_limit_rpm: -5 }, 'rate_limit_rpm'],
    [{ name: 'n', rate_limit_tpd: 0 }, 'rate_limit_tpd'],
    [{ name: 'n', concurrent_requests: 1.5 }, 'concurrent_requests'],
    [{ name: 'n', budget_limit_cents: 100 }, 'budget_period'],
    [{ name: 'n', budget_limit_cents: 100, budget_period: 'weekly' }, 'budget_period'],
    [{ name: 'n', owner: 'me' }, 'owner'],
  ];
  for (const [body, param] of cases) {
    const res = await gw.post('/admin/v1/api-keys', body, { headers: admin });
    assertError(res, { status: 400, code: 'validation_error', param });
  }
  assertError(await gw.post('/admin/v1/api-keys', '{"name":', { headers: admin }), {
    status: 400,
    code: 'invalid_json',
  });
  assertError(await gw.post('/admin/v1/api-keys', '[1,2]', { headers: admin }), {
    status: 400,
    code: 'validation_error',
  });
  const afterList = await gw.get('/admin/v1/api-keys?limit=1000', { headers: admin });
  assert.equal(afterList.json.data.length, before.json.data.length);
});

test('get answers the key; unknown ids, paths and methods get JSON errors', async () => {
  const key = await createKey({ name: 'lookup' });
  const got = await gw.get(`/admin/v1/api-keys/${key.id}`, { headers: admin });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.id, key.id);
  assert.ok(!('key' in got.json), 'the raw key is shown only once');

  assertError(await gw.get('/admin/v1/api-keys/key_00000000000000000000000000', { headers: admin }), {
    status: 404,
    code: 'not_found',
  });
  assertError(await gw.get('/admin/v1/nothing-here', { headers: admin }), {
    status: 404,
    code: 'not_found',
  });
  const put = await adminRequest('PUT', '/admin/v1/api-keys', { name: 'x' });
  assertError(put, { status: 405, code: 'method_not_allowed' });
  assert.match(put.headers.get('allow') || '', /GET/);
  assertError(await adminRequest('POST', `/admin/v1/api-keys/${key.id}`, {}), {
    status: 405,
    code: 'method_not_allowed',
  });
  assertError(await adminRequest('GET', `/admin/v1/api-keys/${key.id}/rotate`), {
    status: 405,
    code: 'method_not_allowed',
  });
});

test('revocation takes effect at once and is idempotent', async () => {
  const key = await createKey({ name: 'to revoke' });
  assert.equal((await chat(key.key)).status, 200);  // now in the key cache
  const revoked = await adminRequest('DELETE', `/admin/v1/api-keys/${key.id}`);
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.json.id, key.id);
  assert.match(revoked.json.revoked_at, RFC3339_RE);
  assertError(await chat(key.key), { status: 401, code: 'invalid_api_key' });

  const again = await adminRequest('DELETE', `/admin/v1/api-keys/${key.id}`);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.revoked_at, revoked.json.revoked_at);
  assertError(await adminRequest('DELETE', '/admin/v1/api-keys/key_00000000000000000000000000'), {
    status: 404,
    code: 'not_found',
  });
  assertError(await adminRequest('POST', `/admin/v1/api-keys/${key.id}/rotate`, {}), {
    status: 400,
    code: 'validation_error',
  });
});

test('rotation: both keys work during the grace period, grace 0 ends the old key at once', async () => {
  const old = await createKey({ name: 'rotating', scopes: ['chat'], rate_limit_rpm: 1000 });
  assert.equal((await chat(old.key)).status, 200);

  const rotated = await adminRequest('POST', `/admin/v1/api-keys/${old.id}/rotate`);
  assert.equal(rotated.status, 201, rotated.text);
  const next = rotated.json;
  assertKeyShape(next);
  assert.notEqual(next.id, old.id);
  assert.notEqual(next.key, old.key);
  assert.match(next.key, /^gw_live_/);
  assert.equal(next.name, old.name);
  assert.deepEqual(next.scopes, old.scopes);
  assert.equal(next.rate_limit_rpm, 1000);
  assert.equal((await chat(old.key)).status, 200);
  assert.equal((await chat(next.key)).status, 200);
  const oldNow = await gw.get(`/admin/v1/api-keys/${old.id}`, { headers: admin });
  const graceLeft = seconds(oldNow.json.expires_at) - Date.now() / 1000;
  assert.ok(graceLeft > 86400 - 120 && graceLeft <= 86400 + 5, `grace left: ${graceLeft}`);

  const last = await adminRequest('POST', `/admin/v1/api-keys/${next.id}/rotate`, {
    grace_period_seconds: 0,
  });
  assert.equal(last.status, 201, last.text);
  assertError(await chat(next.key), { status: 401, code: 'invalid_api_key' });
  assert.equal((await chat(last.json.key)).status, 200);

  for (const grace of [-1, 604801, '60']) {
    assertError(
      await adminRequest('POST', `/admin/v1/api-keys/${last.json.id}/rotate`, {
        grace_period_seconds: grace,
      }),
      { status: 400, code: 'validation_error', param: 'grace_period_seconds' },
    );
  }
  assertError(await adminRequest('POST', '/admin/v1/api-keys/key_00000000000000000000000000/rotate'), {
    status: 404,
    code: 'not_found',
  });
});

test('listing pages through every key with a cursor', async () => {
  const own = await startGateway({ config: config(newDb()) });
  try {
    const created = [];
    for (let i = 0; i < 5; i += 1) {
      created.push(await createKey({ name: `page key ${i}` }, admin, own));
    }
    const seen = [];
    let cursor = null;
    let pages = 0;
    for (;;) {
      const query = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res = await own.get(`/admin/v1/api-keys${query}`, { headers: admin });
      assert.equal(res.status, 200, res.text);
      pages += 1;
      assert.equal(res.json.pagination.limit, 2);
      assert.ok(res.json.data.length <= 2);
      res.json.data.forEach(assertKeyShape);
      seen.push(...res.json.data.map((k) => k.id));
      if (!res.json.pagination.has_more) {
        assert.equal(res.json.pagination.next_cursor, null);
        break;
      }
      assert.equal(typeof res.json.pagination.next_cursor, 'string');
      cursor = res.json.pagination.next_cursor;
      assert.ok(pages < 10, 'pagination does not end');
    }
    assert.equal(pages, 3);
    // Each key exactly once, newest first (keys made within one second come in id order).
    assert.deepEqual([...seen].sort(), created.map((k) => k.id).sort());
    const createdAt = new Map(created.map((k) => [k.id, seconds(k.created_at)]));
    for (let i = 1; i < seen.length; i += 1) {
      assert.ok(createdAt.get(seen[i - 1]) >= createdAt.get(seen[i]), 'newest first');
    }

    const all = await own.get('/admin/v1/api-keys', { headers: admin });
    assert.equal(all.json.pagination.limit, 100);
    assert.equal(all.json.data.length, 5);
    assert.equal(all.json.pagination.has_more, false);

    for (const limit of ['0', '1001', 'abc', '-1']) {
      assertError(await own.get(`/admin/v1/api-keys?limit=${limit}`, { headers: admin }), {
        status: 400,
        code: 'validation_error',
        param: 'limit',
      });
    }
    for (const badCursor of ['garbage', 'c1zz', '%27%3B']) {
      assertError(await own.get(`/admin/v1/api-keys?cursor=${badCursor}`, { headers: admin }), {
        status: 400,
        code: 'validation_error',
        param: 'cursor',
      });
    }
  } finally {
    await own.dispose();
  }
});

// --- usage ---------------------------------------------------------------------------------

test('usage reports count the requests of a key', async () => {
  const key = await createKey({ name: 'usage' });
  for (let i = 0; i < 3; i += 1) {
    assert.equal((await chat(key.key)).status, 200);
  }
  const q = `api_key_id=${encodeURIComponent(key.id)}`;
  // Usage records are written in batches: wait until all three arrived.
  const summary = await waitFor(
    async () => {
      const res = await gw.get(`/admin/v1/usage?${q}`, { headers: admin });
      return res.status === 200 && res.json.requests === 3 ? res.json : null;
    },
    { timeoutMs: 10_000, intervalMs: 100, message: 'three usage records' },
  );
  assert.ok(summary.input_tokens > 0);
  assert.ok(summary.output_tokens > 0);
  // The batch that stored the records also noted when the key was last used.
  const got = await gw.get(`/admin/v1/api-keys/${key.id}`, { headers: admin });
  assert.equal(got.status, 200, got.text);
  assert.match(got.json.last_used_at, RFC3339_RE);
  assert.equal(summary.total_tokens, summary.input_tokens + summary.output_tokens);
  assert.equal(summary.errors, 0);
  assert.equal(typeof summary.cost_microcents, 'number');
  assert.equal(summary.cost_usd, summary.cost_microcents / 1e6);
  assert.match(summary.from, RFC3339_RE);
  assert.match(summary.to, RFC3339_RE);
  const days = (seconds(summary.to) - seconds(summary.from)) / 86400;
  assert.ok(days > 29.9 && days < 30.1, `default range: ${days} days`);

  const byModel = await gw.get(`/admin/v1/usage/by-model?${q}`, { headers: admin });
  assert.equal(byModel.status, 200, byModel.text);
  assert.equal(byModel.json.data.length, 1, byModel.text);
  assert.match(byModel.json.data[0].model, /test-model/);
  assert.equal(byModel.json.data[0].requests, 3);

  const byDate = await gw.get(`/admin/v1/usage/by-date?${q}`, { headers: admin });
  assert.equal(byDate.status, 200, byDate.text);
  const today = new Date().toISOString().slice(0, 10);
  const row = byDate.json.data.find((r) => r.date === today);
  assert.ok(row, byDate.text);
  assert.equal(row.requests, 3);

  const byKey = await gw.get('/admin/v1/usage/by-api-key', { headers: admin });
  assert.equal(byKey.status, 200, byKey.text);
  const mine = byKey.json.data.find((r) => r.api_key_id === key.id);
  assert.ok(mine, byKey.text);
  assert.equal(mine.requests, 3);
  assert.equal(mine.total_tokens, summary.total_tokens);

  // An explicit range that ends before today holds nothing of this key.
  const past = await gw.get(`/admin/v1/usage?${q}&from=2020-01-01&to=2020-01-31`, {
    headers: admin,
  });
  assert.equal(past.status, 200, past.text);
  assert.equal(past.json.requests, 0);
  assert.equal(past.json.from, '2020-01-01T00:00:00Z');
  assert.equal(past.json.to, '2020-02-01T00:00:00Z');

  assertError(await gw.get('/admin/v1/usage?from=yesterday', { headers: admin }), {
    status: 400,
    code: 'validation_error',
    param: 'from',
  });
  assertError(await gw.get('/admin/v1/usage?from=2025-02-01&to=2025-01-01', { headers: admin }), {
    status: 400,
    code: 'validation_error',
    param: 'to',
  });
  assertError(await adminRequest('POST', '/admin/v1/usage', {}), {
    status: 405,
    code: 'method_not_allowed',
  });
});

// --- persistence (last: restarts the shared gateway) ---------------------------------------

test('keys survive a gateway restart', async () => {
  const key = await createKey({ name: 'durable', rate_limit_rpm: 77 });
  assert.equal((await chat(key.key)).status, 200);
  await gw.dispose();  // the database lives in its own directory
  gw = await startGateway({ config: config(dbPath) });
  const res = await chat(key.key);
  assert.equal(res.status, 200, res.text);
  const got = await gw.get(`/admin/v1/api-keys/${key.id}`, { headers: admin });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.name, 'durable');
  assert.equal(got.json.rate_limit_rpm, 77);
});

test('without a database the admin API answers 501', async () => {
  const plain = await startGateway({
    config: {
      auth: { bootstrap: { api_key: BOOTSTRAP } },
      providers: { default_provider: 'test', test: testProvider() },
    },
  });
  try {
    assertError(await plain.get('/admin/v1/api-keys', { headers: admin }), {
      status: 501,
      code: 'not_supported',
    });
  } finally {
    await plain.dispose();
  }
});
