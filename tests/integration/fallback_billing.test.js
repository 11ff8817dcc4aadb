'use strict';

// A request that fell over is billed once, for the candidate that served it, at its price.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const { openAiProvider, startGateway, waitFor } = require('../lib/gateway');

const BOOTSTRAP = 'bootstrap-billing-test-secret';
const admin = { 'X-API-Key': BOOTSTRAP };
const messages = [{ role: 'user', content: 'Hello' }];

let primary;
let secondary;
let gw;
let dir;

before(async () => {
  primary = await startFakeUpstream();
  secondary = await startFakeUpstream();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-billing-'));
  gw = await startGateway({
    config: {
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
      providers: {
        default_provider: 'primary',
        primary: openAiProvider(primary.baseURL, {
          fetch_models: false,
          models: { expensive: { input_per_1m_tokens: 50_000_000, output_per_1m_tokens: 90_000_000 } },
        }),
        secondary: openAiProvider(secondary.baseURL, {
          fetch_models: false,
          models: { cheap: { input_per_1m_tokens: 1_000_000, output_per_1m_tokens: 2_000_000 } },
        }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await primary?.close();
  await secondary?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('fallback bills only the candidate that served, at its own price', async () => {
  const created = await gw.post('/admin/v1/api-keys', { name: 'billing' }, { headers: admin });
  assert.equal(created.status, 201, created.text);
  const auth = { Authorization: `Bearer ${created.json.key}` };
  primary.setDefault({ status: 503, body: { error: { message: 'down', type: 'server_error' } } });
  secondary.setDefault({ fixture: 'openai/chat_completion_success.json' });

  const res = await gw.post(
    '/api/v1/chat/completions',
    { models: ['primary/expensive', 'secondary/cheap'], messages },
    { headers: auth },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.ok(primary.requests.length >= 1, 'the primary was tried');
  // 24 prompt tokens × 1 + 20 completion tokens × 2 microcents.
  const expected = 24 * 1 + 20 * 2;
  assert.equal(Number(res.headers.get('x-cost-microcents')), expected);

  const byModel = await waitFor(
    async () => {
      const r = await gw.get(`/admin/v1/usage/by-model?api_key_id=${created.json.id}`, {
        headers: admin,
      });
      return r.status === 200 && r.json.data.length > 0 ? r.json.data : null;
    },
    { message: 'the usage record' },
  );
  assert.equal(byModel.length, 1, `one record: ${JSON.stringify(byModel)}`);
  assert.equal(byModel[0].model, 'cheap');
  assert.equal(byModel[0].requests, 1);
  assert.equal(byModel[0].cost_microcents, expected);
  assert.equal(byModel[0].input_tokens, 24);
});
