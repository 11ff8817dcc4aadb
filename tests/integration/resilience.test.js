'use strict';

// Retries, fallbacks and circuit breakers: what the client receives and what the upstreams saw.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const {
  assertError,
  openAiProvider,
  postSse,
  startGateway,
  testProvider,
} = require('../lib/gateway');

let primary;
let secondary;
let gw;

const retry = { max_retries: 2, initial_delay_ms: 20, max_delay_ms: 3000, jitter: 0 };

before(async () => {
  primary = await startFakeUpstream();
  secondary = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'primary',
        primary: openAiProvider(primary.baseURL, { retry }),
        secondary: openAiProvider(secondary.baseURL, { retry }),
        fragile: openAiProvider(primary.baseURL, {
          retry: { max_retries: 0 },
          circuit_breaker: {
            enabled: true,
            failure_threshold: 2,
            open_timeout_secs: 60,
            success_threshold: 1,
          },
        }),
        backed: openAiProvider(primary.baseURL, {
          retry: { max_retries: 0 },
          fallback_providers: ['secondary'],
        }),
        remapped: openAiProvider(primary.baseURL, {
          retry: { max_retries: 1, initial_delay_ms: 20, jitter: 0 },
          model_fallbacks: { 'gpt-4o-mini': [{ model: 'gpt-4o', provider: 'secondary' }] },
        }),
        to_canned: openAiProvider(primary.baseURL, {
          retry: { max_retries: 0 },
          fallback_providers: ['canned'],
        }),
        canned: testProvider({ response_text: 'canned answer' }),
        flaky: openAiProvider(primary.baseURL, {
          retry: { max_retries: 0 },
          circuit_breaker: {
            enabled: true,
            failure_threshold: 2,
            open_timeout_secs: 1,
            success_threshold: 1,
          },
        }),
        impatient: openAiProvider(primary.baseURL, { retry: { max_retries: 0 }, timeout_secs: 1 }),
        patient: openAiProvider(primary.baseURL, {
          retry: { max_retries: 2, initial_delay_ms: 20, max_delay_ms: 5000 },
        }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await primary?.close();
  await secondary?.close();
});

beforeEach(() => {
  primary.reset();
  secondary.reset();
});
afterEach(async (t) => gw?.reportIfFailed(t));

const messages = [{ role: 'user', content: 'Hello' }];
const ok = { fixture: 'openai/chat_completion_success.json' };
const serverError = (status) => ({
  status,
  body: { error: { message: `upstream ${status}`, type: 'server_error', code: null } },
});

test('a 500 once, then success: retried on the same provider', async () => {
  primary.enqueue(serverError(500));
  primary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', { model: 'primary/gpt-4o-mini', messages });
  assert.equal(res.status, 200, res.text);
  assert.equal(primary.requests.length, 2);
  assert.equal(res.headers.get('x-provider'), 'primary');
});

test('429 with Retry-After: the retry waits as told', async () => {
  primary.enqueue({ ...serverError(429), headers: { 'retry-after': '1' } });
  primary.setDefault(ok);
  const started = Date.now();
  const res = await gw.post('/api/v1/chat/completions', { model: 'primary/gpt-4o-mini', messages });
  const waited = Date.now() - started;
  assert.equal(res.status, 200, res.text);
  assert.equal(primary.requests.length, 2);
  assert.ok(waited >= 950, `retried after ${waited} ms`);
});

test('a persistent 503 falls over to the next model of `models`; what served is named', async () => {
  primary.setDefault(serverError(503));
  secondary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['primary/gpt-4o-mini', 'secondary/gpt-4o'],
    messages,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(primary.requests.length, 3, 'the first attempt and two retries');
  assert.equal(secondary.requests.length, 1);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.equal(res.headers.get('x-model'), 'gpt-4o');
  assert.equal(secondary.requests[0].body.model, 'gpt-4o');
});

test('a 400 such as context_length_exceeded is not retried and does not fall over', async () => {
  primary.setDefault({
    status: 400,
    body: {
      error: {
        message: 'maximum context length exceeded',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
      },
    },
  });
  secondary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['primary/gpt-4o-mini', 'secondary/gpt-4o'],
    messages,
  });
  assertError(res, { status: 400, code: 'context_length_exceeded' });
  assert.equal(primary.requests.length, 1);
  assert.equal(secondary.requests.length, 0);
});

test('every candidate failing returns the last upstream error', async () => {
  primary.setDefault(serverError(503));
  secondary.setDefault(serverError(502));
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['primary/a', 'secondary/b'],
    messages,
  });
  assert.equal(res.status, 502, res.text);
  assert.equal(res.json.error.message, 'upstream 502');
});

test('fallback_providers: the same model on the next provider', async () => {
  primary.setDefault(serverError(500));
  secondary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', { model: 'backed/gpt-4o-mini', messages });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.equal(secondary.requests[0].body.model, 'gpt-4o-mini');
});

test('model_fallbacks: every attempt sends the model of its own route', async () => {
  primary.setDefault(serverError(500));
  secondary.setDefault(ok);
  const raw = JSON.stringify({ messages, model: 'remapped/gpt-4o-mini', temperature: 0 });
  const res = await gw.post('/api/v1/chat/completions', raw);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.equal(res.headers.get('x-model'), 'gpt-4o');
  assert.equal(primary.requests.length, 2, 'the first attempt and one retry');
  for (const r of primary.requests) {
    assert.equal(r.rawBody, raw.replace('"remapped/gpt-4o-mini"', '"gpt-4o-mini"'));
  }
  assert.equal(secondary.requests.length, 1);
  assert.equal(secondary.requests[0].rawBody, raw.replace('"remapped/gpt-4o-mini"', '"gpt-4o"'));
});

test('a fallback to a provider that translates the body gets the parsed body', async () => {
  primary.setDefault(serverError(500));
  const res = await gw.post('/api/v1/chat/completions', {
    model: 'to_canned/gpt-4o-mini',
    messages,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'canned');
  assert.equal(res.json.choices[0].message.content, 'canned answer');
  assert.ok(Number(res.headers.get('x-input-tokens')) > 0, 'the prompt was read');
  assert.equal(primary.requests.length, 1);
  assert.equal(primary.requests[0].body.model, 'gpt-4o-mini');
});

test('provider preferences: allow_fallbacks false keeps the first candidate only', async () => {
  primary.setDefault(serverError(503));
  secondary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['primary/a', 'secondary/b'],
    provider: { allow_fallbacks: false },
    messages,
  });
  assert.equal(res.status, 503, res.text);
  assert.equal(secondary.requests.length, 0);
});

test('a stream that breaks before its first event falls over; the client sees one clean stream', async () => {
  primary.setDefault({ fixture: 'openai/chat_completion_streaming.json', fault: 'drop', afterChunks: 0 });
  secondary.setDefault({ fixture: 'openai/chat_completion_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    models: ['primary/a', 'secondary/b'],
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.ok(res.events.at(-1).done, 'ends with [DONE]');
  assert.ok(!res.events.some((e) => e.json && e.json.error), 'no error event');
});

test('the circuit opens after repeated failures and then fails fast without calling upstream', async () => {
  primary.setDefault(serverError(500));
  for (let i = 0; i < 2; i += 1) {
    const res = await gw.post('/api/v1/chat/completions', { model: 'fragile/x', messages });
    assert.equal(res.status, 500, res.text);
  }
  const seen = primary.requests.length;
  const res = await gw.post('/api/v1/chat/completions', { model: 'fragile/x', messages });
  assertError(res, { status: 503, code: 'circuit_breaker_open' });
  assert.equal(primary.requests.length, seen, 'no upstream call while the circuit is open');
  assert.match(gw.output(), /circuit of provider 'fragile' closed -> open/);
});

test('a connection reset before the response falls over to the next candidate', async () => {
  primary.setDefault({ fault: 'reset' });
  secondary.setDefault(ok);
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['impatient/a', 'secondary/b'],
    messages,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
});

test('an upstream that accepts and never answers times out, then the next candidate serves', async () => {
  primary.setDefault({ fault: 'hang' });
  secondary.setDefault(ok);
  const started = Date.now();
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['impatient/a', 'secondary/b'],
    messages,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.ok(Date.now() - started >= 900, 'the first candidate was given its timeout');
});

test('a stream that ends without [DONE] is an in-band error, never a clean end', async () => {
  primary.setDefault({ fixture: 'openai/chat_completion_streaming.json', done: false, usage: false });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'impatient/a',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(!res.events.some((e) => e.done), 'no [DONE]');
  assert.equal(res.events.at(-1).json.error.code, 'provider_error');
});

test('a client that leaves during a retry back-off stops further attempts', async () => {
  primary.setDefault({ ...serverError(503), headers: { 'retry-after': '2' } });
  const controller = new AbortController();
  const pending = gw
    .post('/api/v1/chat/completions', { model: 'patient/a', messages }, { signal: controller.signal })
    .catch((e) => e);
  await new Promise((r) => setTimeout(r, 400));
  controller.abort();
  await pending;
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(primary.requests.length, 1, 'no attempt after the client left');
});

test('a flapping provider: the circuit opens, then closes again once it recovers', async () => {
  primary.setDefault(serverError(500));
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await gw.post('/api/v1/chat/completions', { model: 'flaky/x', messages })).status, 500);
  }
  const open = await gw.post('/api/v1/chat/completions', { model: 'flaky/x', messages });
  assertError(open, { status: 503, code: 'circuit_breaker_open' });
  primary.setDefault(ok);
  await new Promise((r) => setTimeout(r, 1100));
  const trial = await gw.post('/api/v1/chat/completions', { model: 'flaky/x', messages });
  assert.equal(trial.status, 200, trial.text);
  assert.equal((await gw.post('/api/v1/chat/completions', { model: 'flaky/x', messages })).status, 200);
  assert.match(gw.output(), /circuit of provider 'flaky' half-open -> closed/);
});

// --- Scenarios with timing assertions -----------------------------------------------------

/** `n` chat chunks of one recorded stream: the first recorded chunk's shape, numbered text. */
function numberedChunks(n) {
  const { response } = require('../fixtures/openai/chat_completion_streaming.json');
  const template = response.chunks[1];
  return Array.from({ length: n }, (_, i) => ({
    ...template,
    choices: [{ ...template.choices[0], delta: { content: `${i} ` } }],
  }));
}

test('429 without Retry-After: exponential back-off, then the next candidate serves', async () => {
  primary.setDefault({
    status: 429,
    body: { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
  });
  secondary.setDefault(ok);
  const started = Date.now();
  const res = await gw.post('/api/v1/chat/completions', {
    models: ['patient/a', 'secondary/b'],
    messages,
  });
  const elapsed = Date.now() - started;
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.equal(primary.requests.length, 3, 'the first attempt and two retries');
  const gaps = [1, 2].map((i) => primary.requests[i].receivedAt - primary.requests[i - 1].receivedAt);
  // initial_delay_ms 20, multiplier 2, jitter ±10 %: about 20 ms then 40 ms.
  assert.ok(gaps[0] >= 15 && gaps[1] >= 30, `back-off gaps ${gaps}`);
  assert.ok(gaps[1] > gaps[0], `the second wait is longer: ${gaps}`);
  assert.ok(elapsed < 3000, `no long wait without Retry-After (${elapsed} ms)`);
});

test('first byte later than the timeout: the stream falls over before the client saw a byte', async () => {
  primary.setDefault({ fixture: 'openai/chat_completion_streaming.json', delayMs: 2500 });
  secondary.setDefault({ fixture: 'openai/chat_completion_streaming.json' });
  const started = Date.now();
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    models: ['impatient/a', 'secondary/b'],
    messages,
    stream: true,
  });
  const elapsed = Date.now() - started;
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'secondary');
  assert.ok(res.events.at(-1).done, 'one clean stream from the second candidate');
  assert.ok(elapsed >= 900 && elapsed < 2400, `waited ${elapsed} ms for a 1 s timeout`);
  assert.equal(primary.requests.length, 1);
});

test('a stream cut after 40 of 60 chunks: 40 chunks, an in-band error, no [DONE], no fallback', async () => {
  primary.setDefault({ chunks: numberedChunks(60), fault: 'drop', afterChunks: 40 });
  secondary.setDefault({ fixture: 'openai/chat_completion_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    models: ['impatient/a', 'secondary/b'],
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'impatient');
  const chunks = res.events.filter((e) => e.json && e.json.object === 'chat.completion.chunk');
  assert.equal(chunks.length, 40);
  assert.deepEqual(
    chunks.map((c) => c.json.choices[0].delta.content),
    Array.from({ length: 40 }, (_, i) => `${i} `),
    'in order, none lost or repeated',
  );
  assert.ok(!res.events.some((e) => e.done), 'no [DONE]');
  assert.equal(res.events.at(-1).json.error.code, 'provider_error');
  assert.equal(secondary.requests.length, 0, 'never falls over once bytes reached the client');
});

test('a malformed SSE chunk ends the stream with an in-band error, not garbage', async () => {
  const good = numberedChunks(3);
  primary.setDefault({ chunks: [good[0], good[1], '{"id":"chatcmpl-x","choices":[{"delta":'], usage: false });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'impatient/a',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  const chunks = res.events.filter((e) => e.json && e.json.object === 'chat.completion.chunk');
  assert.equal(chunks.length, 2, 'the chunks before the bad one arrive');
  assert.ok(!res.events.some((e) => e.data && e.data.includes('"delta":') && !e.json), 'the bad chunk is not forwarded');
  assert.ok(!res.events.some((e) => e.done), 'no [DONE]');
  const last = res.events.at(-1).json;
  assert.equal(last.error.code, 'provider_error');
  assert.match(last.error.message, /malformed/);
});
