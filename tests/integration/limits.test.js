'use strict';

// Rate limits, concurrent-request limits and budgets under concurrent load, and what survives a
// restart: keys, spend, and one usage record per answered request.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { assertError, startGateway, testProvider, waitFor } = require('../lib/gateway');

const BOOTSTRAP = 'bootstrap-limits-test-secret';
const admin = { 'X-API-Key': BOOTSTRAP };
// The test provider answers "Hello from the Hadrian test provider." (7 tokens) to a 1-token
// prompt: 1 × 1,000 + 7 × 2,000 = 15,000 microcents = 1.5 cents per request.
const COST_MICROCENTS = 15000;
const body = { model: 'test-model', messages: [{ role: 'user', content: 'hi' }] };

const dirs = [];
after(() => {
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function config(dbPath, extra = {}) {
  return {
    database: { type: 'sqlite', path: dbPath },
    auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
    limits: { budgets: { estimated_cost_cents: 2 } },
    providers: {
      default_provider: 'test',
      test: testProvider({
        models: {
          'test-model': { input_per_1m_tokens: 1_000_000_000, output_per_1m_tokens: 2_000_000_000 },
        },
        ...extra,
      }),
    },
  };
}

function newDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-limits-'));
  dirs.push(dir);
  return path.join(dir, 'hadrian.db');
}

async function createKey(gw, fields) {
  const res = await gw.post('/admin/v1/api-keys', { name: 'limits', ...fields }, { headers: admin });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

function chat(gw, key, extra = {}) {
  return gw.post('/api/v1/chat/completions', { ...body, ...extra }, {
    headers: { Authorization: `Bearer ${key}` },
  });
}

async function usageOf(gw, keyId) {
  const res = await gw.get(`/admin/v1/usage?api_key_id=${encodeURIComponent(keyId)}`, {
    headers: admin,
  });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

test('200 concurrent requests against rpm 50: exactly 50 pass, the rest get 429', async (t) => {
  const gw = await startGateway({ config: config(newDb()) });
  t.after(() => gw.dispose());
  const key = await createKey(gw, { rate_limit_rpm: 50 });
  const results = await Promise.all(Array.from({ length: 200 }, () => chat(gw, key.key)));
  const ok = results.filter((r) => r.status === 200);
  const limited = results.filter((r) => r.status === 429);
  assert.equal(ok.length, 50, `passed: ${ok.length}`);
  assert.equal(limited.length, 150);
  const denied = limited[0];
  assertError(denied, { status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
  assert.equal(denied.json.error.message, 'Rate limit exceeded: 50 requests per minute');
  assert.deepEqual(Object.keys(denied.json.error.details).sort(), [
    'limit',
    'retry_after_secs',
    'window',
  ]);
  assert.equal(denied.json.error.details.limit, 50);
  assert.equal(denied.json.error.details.window, 'minute');
  assert.ok(Number(denied.headers.get('retry-after')) >= 1);
  assert.equal(denied.headers.get('x-ratelimit-limit'), '50');
  assert.equal(denied.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(ok[0].headers.get('x-ratelimit-limit'), '50');
  assert.ok(Number(ok[0].headers.get('x-ratelimit-remaining')) < 50);
});

test('tokens per minute: a request reserves its max_tokens, then what it used', async (t) => {
  const cfg = config(newDb());
  cfg.limits.rate_limits = { estimated_tokens_per_request: 2000 };
  const gw = await startGateway({ config: cfg });
  t.after(() => gw.dispose());
  const key = await createKey(gw, { rate_limit_tpm: 1000 });

  // More than the limit asked for: refused before any call, the tokens named.
  const over = await chat(gw, key.key, { max_tokens: 5000 });
  assertError(over, { status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' });
  assert.equal(over.json.error.message, 'Rate limit exceeded: 1000 tokens per minute');
  assert.equal(over.headers.get('x-tokenratelimit-limit'), '1000');
  // Without a bound, the configured estimate is reserved: 2,000 does not fit either.
  const unbounded = await chat(gw, key.key);
  assert.equal(unbounded.status, 429, unbounded.text);

  // A bound that fits: reserved with about a token per four bytes of the request, then
  // corrected to the 8 tokens the answer used (1 in, 7 out), which the next request sees.
  const sized = JSON.stringify({ ...body, max_tokens: 100 }).length;
  const reserve = 100 + Math.floor(sized / 4);
  const first = await chat(gw, key.key, { max_tokens: 100 });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('x-tokenratelimit-used'), String(reserve));
  assert.equal(first.headers.get('x-tokenratelimit-remaining'), String(1000 - reserve));
  // The correction follows the answer (the client may ask again on another connection before
  // it lands); the usage record is written after it, so once the record shows, so does it.
  await waitFor(async () => ((await usageOf(gw, key.id)).output_tokens === 7 ? true : null));
  const second = await chat(gw, key.key, { max_tokens: 100 });
  assert.equal(second.status, 200, second.text);
  const used = Number(second.headers.get('x-tokenratelimit-used'));
  // 8 more than the first, or one less when a minute began between the two (the sliding
  // window then weighs the first request a little under 1).
  assert.ok(used - reserve === 8 || used - reserve === 7, `used ${used}, reserved ${reserve}`);
});

test('budget under 100 concurrent requests: settled spend stays within the limit', async (t) => {
  const gw = await startGateway({ config: config(newDb()) });
  t.after(() => gw.dispose());
  const limitCents = 30;
  const key = await createKey(gw, { budget_limit_cents: limitCents, budget_period: 'daily' });
  const results = await Promise.all(Array.from({ length: 100 }, () => chat(gw, key.key)));
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 402);
  assert.equal(ok.length + refused.length, 100);
  assert.ok(ok.length >= 1 && refused.length >= 1, `ok ${ok.length}, 402 ${refused.length}`);
  const err = refused[0].json.error;
  assert.deepEqual(err, {
    type: 'invalid_request_error',
    code: 'budget_exceeded',
    message: 'Budget limit exceeded for daily period',
    param: null,
    request_id: err.request_id,
  });
  assert.equal(ok[0].headers.get('x-cost-microcents'), String(COST_MICROCENTS));
  assert.equal(ok[0].json.usage.cost, COST_MICROCENTS / 1e6);
  const usage = await waitFor(
    async () => {
      const u = await usageOf(gw, key.id);
      return u.requests === 100 ? u : null;
    },
    { timeoutMs: 10000, message: '100 usage records' },
  );
  assert.equal(usage.cost_microcents, ok.length * COST_MICROCENTS);
  assert.ok(
    usage.cost_microcents <= limitCents * 10000 + COST_MICROCENTS,
    `settled ${usage.cost_microcents} µ¢ over a ${limitCents}¢ budget`,
  );
});

test('concurrent-request limit: at most 2 in flight for the key', async (t) => {
  const gw = await startGateway({ config: config(newDb(), { chunk_delay_ms: 700 }) });
  t.after(() => gw.dispose());
  const key = await createKey(gw, { concurrent_requests: 2 });
  const results = await Promise.all(Array.from({ length: 6 }, () => chat(gw, key.key)));
  assert.equal(results.filter((r) => r.status === 200).length, 2);
  const limited = results.filter((r) => r.status === 429);
  assert.equal(limited.length, 4);
  assertError(limited[0], { status: 429, code: 'rate_limit_exceeded' });
  // Once they finished, the slots are free again.
  assert.equal((await chat(gw, key.key)).status, 200);
});

test('keys and spend survive a restart', async (t) => {
  const db = newDb();
  let gw = await startGateway({ config: config(db) });
  t.after(() => gw.dispose());
  // 4 cents with a 2-cent estimate: two requests of 1.5 cents pass, a third (3 + 2 > 4) not.
  const key = await createKey(gw, { budget_limit_cents: 4, budget_period: 'monthly' });
  assert.equal((await chat(gw, key.key)).status, 200);
  assert.equal((await chat(gw, key.key)).status, 200);
  const info = await gw.stop();
  assert.equal(info.code, 0, gw.output());
  gw = await startGateway({ config: config(db) });
  const again = await chat(gw, key.key);
  assertError(again, { status: 402, code: 'budget_exceeded' });
  assert.equal(again.json.error.message, 'Budget limit exceeded for monthly period');
  const other = await chat(gw, 'gw_live_' + 'x'.repeat(43));
  assertError(other, { status: 401, code: 'invalid_api_key' });
});

test('SIGTERM with requests in flight: one usage record per answered request', async (t) => {
  const db = newDb();
  let gw = await startGateway({ config: config(db, { chunk_delay_ms: 400 }) });
  t.after(() => gw.dispose());
  const key = await createKey(gw, {});
  const inflight = Array.from({ length: 20 }, () => chat(gw, key.key));
  // Let every request reach the gateway before the signal.
  await new Promise((r) => setTimeout(r, 200));
  const stopping = gw.stop();
  const results = await Promise.allSettled(inflight);
  const info = await stopping;
  assert.equal(info.code, 0, gw.output());
  const answered = results.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length;
  assert.ok(answered >= 1, 'requests in flight were answered during the drain');
  gw = await startGateway({ config: config(db) });
  const usage = await usageOf(gw, key.id);
  assert.equal(usage.requests, answered, `records ${usage.requests}, answered ${answered}`);
});

test('missing and malformed keys are 401s; unknown scopes are 400s and store nothing', async (t) => {
  const gw = await startGateway({ config: config(newDb()) });
  t.after(() => gw.dispose());
  assertError(await gw.post('/api/v1/chat/completions', body), {
    status: 401,
    code: 'missing_credentials',
  });
  for (const bad of ['nope', 'gw_live_short', `gw_live_${'!'.repeat(43)}`]) {
    assertError(await chat(gw, bad), { status: 401, code: 'invalid_api_key' });
  }
  const res = await gw.post(
    '/admin/v1/api-keys',
    { name: 'x', scopes: ['chat', 'superuser'] },
    { headers: admin },
  );
  assertError(res, { status: 400, code: 'validation_error', param: 'scopes' });
  const negative = await gw.post(
    '/admin/v1/api-keys',
    { name: 'x', rate_limit_rpm: -5 },
    { headers: admin },
  );
  assertError(negative, { status: 400, code: 'validation_error', param: 'rate_limit_rpm' });
  const list = await gw.get('/admin/v1/api-keys', { headers: admin });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.data.length, 0);
});

test('without keys, requests are limited per client address (ip_rate_limits)', async (t) => {
  const gw = await startGateway({
    config: {
      limits: { rate_limits: { ip_rate_limits: { requests_per_minute: 3 } } },
      providers: { default_provider: 'test', test: testProvider() },
    },
  });
  t.after(() => gw.dispose());
  const statuses = [];
  for (let i = 0; i < 5; i += 1) {
    statuses.push((await gw.post('/api/v1/chat/completions', body)).status);
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  // Health checks are not counted.
  assert.equal((await gw.get('/health')).status, 200);
});

test('with keys required, failed authentications are limited per client address', async (t) => {
  const cfg = config(newDb());
  cfg.limits.rate_limits = { ip_rate_limits: { requests_per_minute: 3 } };
  const gw = await startGateway({ config: cfg });
  t.after(() => gw.dispose());
  const statuses = [];
  for (let i = 0; i < 5; i += 1) {
    statuses.push((await chat(gw, `gw_live_${'B'.repeat(43)}`)).status);
  }
  assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  // A valid key is not held back by the address's failures.
  const key = await createKey(gw, {});
  assert.equal((await chat(gw, key.key)).status, 200);
});
