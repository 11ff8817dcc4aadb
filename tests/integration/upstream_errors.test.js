'use strict';

// Upstream failures: HTTP errors, refused connections, timeouts, streams that break off or
// stall, and a client that leaves in the middle of a stream.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const {
  assertError,
  freePort,
  openAiProvider,
  postSse,
  sseEvents,
  startGateway,
  waitFor,
} = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  const closedPort = await freePort();
  gw = await startGateway({
    config: {
      server: { streaming_idle_timeout_secs: 1 },
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        // Same fake, but a provider that gives up after one second.
        slow: openAiProvider(fake.baseURL, { timeout_secs: 1 }),
        // Nothing listens there.
        refused: openAiProvider(`http://127.0.0.1:${closedPort}/v1`, { connect_timeout_secs: 2 }),
      },
    },
  });
});

after(async () => {
  if (gw) {
    await gw.dispose();
  }
  if (fake) {
    await fake.close();
  }
});

beforeEach(() => {
  fake.reset();
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

const messages = [{ role: 'user', content: 'Count to twenty.' }];

function chat(model, extra = {}) {
  return gw.post('/api/v1/chat/completions', { model, messages, ...extra });
}

for (const [file, status] of [
  ['bad_request.json', 400],
  ['unauthorized.json', 401],
  ['rate_limit.json', 429],
  ['server_error.json', 500],
]) {
  test(`upstream ${status} (${file}): status kept, error in the gateway's shape`, async () => {
    fake.route('gpt-4o-mini', { fixture: `openai/${file}` });
    const upstreamError = fixture(`openai/${file}`).response.body.error;

    const res = await chat('openai/gpt-4o-mini');

    const err = assertError(res, { status });
    assert.ok(
      [upstreamError.code, 'provider_error'].includes(err.code),
      `code: the upstream's or provider_error: ${res.text}`,
    );
    assert.ok(
      err.message.includes(upstreamError.message),
      `the upstream's message is kept: ${res.text}`,
    );
    if (status === 429) {
      assert.equal(res.headers.get('retry-after'), '1', 'Retry-After from upstream is kept');
    }
    assert.equal(fake.requests.length, 1, 'no retries configured');
  });
}

test('upstream error on a streaming request: a plain JSON error, nothing streamed', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/rate_limit.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  assert.equal(res.status, 429, res.text);
  assert.equal(res.events.length, 0);
  assert.match(res.headers.get('content-type') || '', /application\/json/);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.ok(res.json && res.json.error && typeof res.json.error.message === 'string', res.text);
});

test('connection refused upstream: 502 provider_error', async () => {
  const started = Date.now();
  const res = await chat('refused/gpt-4o-mini');
  assertError(res, { status: 502, code: 'provider_error', type: 'server_error' });
  assert.ok(Date.now() - started < 10_000, 'refusal is reported without waiting for a timeout');
});

test('an upstream that never answers: 502 provider_error after the provider timeout', async () => {
  fake.route('gpt-4o-mini', { fault: 'hang' });
  const started = Date.now();
  const res = await chat('slow/gpt-4o-mini');
  const elapsed = Date.now() - started;
  assertError(res, { status: 502, code: 'provider_error', type: 'server_error' });
  assert.ok(elapsed >= 900, `gave up after ${elapsed} ms, before timeout_secs = 1`);
  assert.ok(elapsed < 6000, `gave up after ${elapsed} ms, long after timeout_secs = 1`);
  await waitFor(() => fake.requests.length === 1 && fake.requests[0].connectionClosed, {
    timeoutMs: 3000,
    message: 'the abandoned upstream connection to be closed',
  });
});

test('an upstream that resets the connection: 502 provider_error', async () => {
  fake.route('gpt-4o-mini', { fault: 'reset' });
  const res = await chat('openai/gpt-4o-mini');
  assertError(res, { status: 502, code: 'provider_error' });
});

test('an upstream that answers garbage: 502 provider_error', async () => {
  fake.route('gpt-4o-mini', {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"choices": [ this is not json',
  });
  const res = await chat('openai/gpt-4o-mini');
  assertError(res, { status: 502, code: 'provider_error' });
});

function assertInBandError(res, chunksBefore) {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.ok(!res.events.some((e) => e.done), 'a broken stream must not end with [DONE]');
  const last = res.events.at(-1);
  assert.ok(
    last && last.json && last.json.error,
    `the last event is an error: ${last && last.data}`,
  );
  assert.equal(typeof last.json.error.message, 'string');
  assert.equal(last.json.error.code, 'provider_error', last.data);
  const chunks = res.events.filter((e) => e.json && e.json.object === 'chat.completion.chunk');
  assert.equal(chunks.length, chunksBefore, 'the chunks sent before the break arrive');
}

test('upstream drops mid-stream: in-band error event and no [DONE]', async () => {
  fake.route('gpt-4o-mini', {
    fixture: 'openai/chat_completion_streaming.json',
    fault: 'drop',
    afterChunks: 5,
  });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  assertInBandError(res, 5);
});

test("upstream's own in-band error event: reported once in our shape, no [DONE]", async () => {
  const recorded = fixture('openai/chat_completion_streaming.json').response.chunks;
  fake.route('gpt-4o-mini', {
    chunks: [
      ...recorded.slice(0, 2),
      { error: { message: 'The server had an error while processing your request.', type: 'server_error', code: 'overloaded' } },
    ],
    done: false,
    usage: false,
  });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(!res.events.some((e) => e.done), 'no [DONE] after an error');
  const errors = res.events.filter((e) => e.json && e.json.error);
  assert.equal(errors.length, 1, `exactly one error event: ${res.text}`);
  assert.equal(errors[0].json.error.code, 'overloaded');
  assert.equal(errors[0].json.error.message, 'The server had an error while processing your request.');
  assert.ok(errors[0].json.error.request_id, 'the error carries the request id');
  const chunks = res.events.filter((e) => e.json && e.json.object === 'chat.completion.chunk');
  assert.equal(chunks.length, 2, 'the chunks before the error arrive');
});

test('upstream stalls mid-stream: idle timeout gives an in-band error and no [DONE]', async () => {
  fake.route('gpt-4o-mini', {
    fixture: 'openai/chat_completion_streaming.json',
    fault: 'stall',
    afterChunks: 3,
  });
  const started = Date.now();
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  const elapsed = Date.now() - started;
  assertInBandError(res, 3);
  assert.ok(elapsed < 8000, `the stall was noticed after ${elapsed} ms (idle timeout 1 s)`);
  await waitFor(() => fake.requests[0].connectionClosed, {
    timeoutMs: 3000,
    message: 'the stalled upstream connection to be closed',
  });
});

test('Responses stream that breaks off: error event, then response.failed', async () => {
  fake.route('gpt-4o-mini', {
    fixture: 'openai/responses_streaming.json',
    fault: 'drop',
    afterChunks: 6,
  });
  const res = await postSse(`${gw.baseURL}/responses`, {
    model: 'openai/gpt-4o-mini',
    input: 'Count to twenty.',
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(!res.events.some((e) => e.done));
  const types = res.events.map((e) => e.event || (e.json && e.json.type));
  assert.ok(!types.includes('response.completed'), `types: ${types.join(' ')}`);
  assert.ok(types.includes('error'), `an error event: ${types.join(' ')}`);
  assert.equal(types.at(-1), 'response.failed', `ends in response.failed: ${types.join(' ')}`);
});

test('client leaves mid-stream: the upstream connection is closed', async () => {
  fake.route('gpt-4o-mini', {
    fixture: 'openai/chat_completion_streaming.json',
    chunkDelayMs: 200,
  });
  const controller = new AbortController();
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages, stream: true }),
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  let received = 0;
  try {
    for await (const event of sseEvents(res)) {
      if (event.json && event.json.object === 'chat.completion.chunk') {
        received += 1;
      }
      if (received === 2) {
        controller.abort();
        break;
      }
    }
  } catch {
    // aborted
  }
  assert.equal(received, 2);
  const leftAt = Date.now();
  await waitFor(() => fake.requests.length === 1 && fake.requests[0].connectionClosed, {
    timeoutMs: 3000,
    message: 'the gateway to close the upstream connection after the client left',
  });
  const total = fixture('openai/chat_completion_streaming.json').response.chunks.length;
  assert.ok(fake.requests[0].chunksSent < total, 'the upstream stream did not run to its end');
  assert.ok(Date.now() - leftAt < 3000);

  // The gateway is fine afterwards.
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const after = await chat('openai/gpt-4o-mini');
  assert.equal(after.status, 200, after.text);
});

test('client leaves while waiting for a non-streaming answer: the upstream connection is closed', async () => {
  fake.route('gpt-4o-mini', { fault: 'hang' });
  const controller = new AbortController();
  const pending = fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages }),
    signal: controller.signal,
  }).catch((err) => err);
  await waitFor(() => fake.requests.length === 1, {
    timeoutMs: 5000,
    message: 'the request to reach the upstream',
  });
  controller.abort();
  assert.ok((await pending) instanceof Error);
  await waitFor(() => fake.requests[0].connectionClosed, {
    timeoutMs: 3000,
    message: 'the gateway to close the upstream connection after the client left',
  });
});
