'use strict';

// Load balancing over a pool's members, health probes, and model lists fetched upstream.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const {
  assertError,
  openAiProvider,
  startGateway,
  testProvider,
  waitFor,
} = require('../lib/gateway');

let a;
let b;
let sick;
let gw;

const ok = { fixture: 'openai/chat_completion_success.json' };
const messages = [{ role: 'user', content: 'Hello' }];
const serverError = { status: 500, body: { error: { message: 'boom', type: 'server_error' } } };
const oneFailureOpens = {
  enabled: true,
  failure_threshold: 1,
  open_timeout_secs: 60,
  success_threshold: 1,
};

before(async () => {
  a = await startFakeUpstream();
  b = await startFakeUpstream();
  sick = await startFakeUpstream();
  sick.setModelList({ status: 503, body: { error: { message: 'down', type: 'server_error' } } });
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'weighted',
        a: openAiProvider(a.baseURL, { fetch_models: false }),
        b: openAiProvider(b.baseURL, { fetch_models: false }),
        a_breaking: openAiProvider(a.baseURL, {
          fetch_models: false,
          circuit_breaker: oneFailureOpens,
        }),
        weighted: {
          type: 'pool',
          members: [
            { provider: 'a', weight: 3 },
            { provider: 'b', weight: 1 },
          ],
        },
        least: {
          type: 'pool',
          strategy: 'least_in_flight',
          members: [{ provider: 'a' }, { provider: 'b' }],
        },
        guarded: { type: 'pool', members: [{ provider: 'a_breaking' }, { provider: 'b' }] },
        sick: openAiProvider(sick.baseURL, {
          circuit_breaker: oneFailureOpens,
          health_check: { interval_secs: 1, timeout_secs: 1 },
        }),
        broken: testProvider({
          failure_mode: 'http_error',
          failure_status: 503,
          circuit_breaker: { ...oneFailureOpens, open_timeout_secs: 600 },
          health_check: { interval_secs: 1, model: 'probe' },
        }),
        listed: openAiProvider(a.baseURL, { models: { 'my-priced-model': {} } }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await a?.close();
  await b?.close();
  await sick?.close();
});

beforeEach(() => {
  a.reset().setDefault(ok);
  b.reset().setDefault(ok);
  sick.reset().setDefault(ok);
});
afterEach(async (t) => gw?.reportIfFailed(t));

const chat = (model) => gw.post('/api/v1/chat/completions', { model, messages });

test('a weighted pool spreads requests by weight and names the member that served', async () => {
  const served = { a: 0, b: 0 };
  for (let round = 0; round < 20; round++) {
    const answers = await Promise.all(Array.from({ length: 10 }, () => chat('weighted/gpt-4o')));
    for (const res of answers) {
      assert.equal(res.status, 200, res.text);
      served[res.headers.get('x-provider')]++;
    }
  }
  assert.equal(served.a + served.b, 200);
  assert.equal(a.requests.length, served.a, 'X-Provider names the upstream that answered');
  // Weight 3:1 → 75 % on a; 200 draws stay within 60..90 % with overwhelming probability.
  assert.ok(served.a >= 120 && served.a <= 180, `a served ${served.a} of 200`);
  assert.equal(a.requests[0].body.model, 'gpt-4o');
});

test('least_in_flight sends new requests to the member that is not busy', async () => {
  const slow = { ...ok, delayMs: 1500 };
  a.route('slow', slow);
  b.route('slow', slow);
  const pending = chat('least/slow');
  await waitFor(() => a.requests.length + b.requests.length === 1, { message: 'the slow one' });
  const busy = a.requests.length === 1 ? 'a' : 'b';
  const idle = busy === 'a' ? 'b' : 'a';
  for (let i = 0; i < 5; i++) {
    const res = await chat('least/fast');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-provider'), idle, `request ${i} went to the idle member`);
  }
  assert.equal((await pending).status, 200);
});

test('a member whose circuit opened is skipped without costing a request', async () => {
  a.setDefault(serverError);
  const statuses = [];
  for (let i = 0; i < 8; i++) {
    const res = await chat('guarded/gpt-4o');
    statuses.push(res.status);
    assert.equal(res.headers.get('x-provider'), 'b');
  }
  assert.deepEqual(new Set(statuses), new Set([200]));
  assert.ok(a.requests.length <= 1, `the broken member saw ${a.requests.length} requests`);
  assert.equal(b.requests.length, 8);
});

test('failing health probes open the circuit with no user traffic; passing ones close it', async () => {
  await waitFor(
    async () => {
      const res = await chat('sick/gpt-4o');
      return res.status === 503 && res.json?.error?.code === 'circuit_breaker_open';
    },
    { timeoutMs: 8000, intervalMs: 200, message: 'the circuit to open from probes' },
  );
  assert.equal(sick.requests.length, 0, 'no user request reached the sick upstream');
  assert.match(gw.output(), /provider 'sick' health probe failed: 503/);
  sick.setModelList({ fixture: 'openai/models_list.json' });
  await waitFor(async () => (await chat('sick/gpt-4o')).status === 200, {
    timeoutMs: 8000,
    intervalMs: 200,
    message: 'the circuit to close after a good probe',
  });
  assert.ok(sick.requests.length >= 1);
});

test('a chat health probe on a model opens the circuit of a failing provider', async () => {
  await waitFor(
    async () => (await chat('broken/anything')).json?.error?.code === 'circuit_breaker_open',
    { timeoutMs: 8000, intervalMs: 200, message: 'the circuit to open' },
  );
  const res = await chat('broken/anything');
  assertError(res, { status: 503, code: 'circuit_breaker_open' });
});

test('/models lists configured models and those the upstream lists, for pools too', async () => {
  const ids = await waitFor(
    async () => {
      const res = await gw.get('/api/v1/models');
      const list = res.json.data.map((m) => m.id);
      return list.includes('listed/gpt-4-0613') ? list : null;
    },
    { timeoutMs: 5000, message: 'the upstream model list' },
  );
  assert.ok(ids.includes('listed/my-priced-model'));
  assert.ok(ids.includes('listed/gpt-3.5-turbo'));
  assert.ok(!ids.some((id) => id.startsWith('a/gpt-4-0613')), 'fetch_models = false');
  assert.equal(a.requests.length, 0, 'listing never consumed a scripted answer');
});
