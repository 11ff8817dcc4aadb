'use strict';

// The official `openai` client against keys, rate limits and budgets: each refusal surfaces as
// the SDK's own error class, carrying the gateway's code.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const OpenAI = require('openai');

const { startGateway, testProvider } = require('../lib/gateway');

const BOOTSTRAP = 'bootstrap-sdk-limits-secret';
const messages = [{ role: 'user', content: 'hi' }];

let gw;
let dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-sdk-limits-'));
  gw = await startGateway({
    config: {
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
      providers: {
        default_provider: 'test',
        slow: testProvider({ chunk_delay_ms: 1500 }),
        test: testProvider({
          models: {
            'test-model': {
              input_per_1m_tokens: 1_000_000_000,
              output_per_1m_tokens: 2_000_000_000,
            },
          },
        }),
      },
    },
  });
});

after(async () => {
  if (gw) {
    await gw.dispose();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function createKey(fields) {
  const res = await gw.post('/admin/v1/api-keys', { name: 'sdk', ...fields }, {
    headers: { 'X-API-Key': BOOTSTRAP },
  });
  assert.equal(res.status, 201, res.text);
  return res.json.key;
}

function client(apiKey) {
  return new OpenAI({ baseURL: gw.baseURL, apiKey, maxRetries: 0 });
}

test('an unknown key is an AuthenticationError with code invalid_api_key', async () => {
  const err = await client(`gw_live_${'A'.repeat(43)}`)
    .chat.completions.create({ model: 'test-model', messages })
    .catch((e) => e);
  assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
  assert.equal(err.status, 401);
  assert.equal(err.code, 'invalid_api_key');
});

test('a spent budget is an APIError with status 402 and code budget_exceeded', async () => {
  // 1 cent with the default 1-cent estimate: the first request (1.5 cents) passes, then none.
  const key = await createKey({ budget_limit_cents: 1, budget_period: 'daily' });
  const c = client(key);
  const first = await c.chat.completions.create({ model: 'test-model', messages });
  assert.equal(first.usage.cost, 0.015);
  const err = await c.chat.completions.create({ model: 'test-model', messages }).catch((e) => e);
  assert.ok(err instanceof OpenAI.APIError, String(err));
  assert.equal(err.status, 402);
  assert.equal(err.code, 'budget_exceeded');
  assert.equal(err.error.message, 'Budget limit exceeded for daily period');
});

test('a rate limit is a RateLimitError with code rate_limit_exceeded', async () => {
  const key = await createKey({ rate_limit_rpm: 1 });
  const c = client(key);
  await c.chat.completions.create({ model: 'test-model', messages });
  const err = await c.chat.completions.create({ model: 'test-model', messages }).catch((e) => e);
  assert.ok(err instanceof OpenAI.RateLimitError, String(err));
  assert.equal(err.status, 429);
  assert.equal(err.code, 'rate_limit_exceeded');
  assert.ok(Number(err.headers.get('retry-after')) >= 1);
  assert.equal(err.error.details.window, 'minute');
});

test("the SDK's own retry honours Retry-After and gets through once a slot is free", async () => {
  // One request at a time: a slow request holds the slot, so the next gets a 429 with
  // Retry-After: 1, and the SDK (maxRetries 3) waits and tries again until the slot is free.
  const key = await createKey({ concurrent_requests: 1 });
  const refusedBefore = gw.log.filter((line) => /status=429 /.test(line)).length;
  const holder = client(key).chat.completions.create({ model: 'slow/test-model', messages });
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  const retrying = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 3 });
  const answer = await retrying.chat.completions.create({ model: 'test-model', messages });
  const waited = Date.now() - started;
  await holder;
  assert.equal(answer.choices[0].message.role, 'assistant');
  assert.ok(waited >= 900, `the SDK waited ${waited} ms before its successful retry`);
  const refusals = gw.log.filter((line) => /status=429 /.test(line)).length - refusedBefore;
  assert.ok(refusals >= 1, 'the gateway refused at least one attempt');
});
