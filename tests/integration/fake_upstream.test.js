'use strict';

// Self-test of the fake upstream (no gateway involved): the other tests rely on it.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { postSse, request, sseEvents, waitFor } = require('../lib/gateway');

let fake;

before(async () => {
  fake = await startFakeUpstream();
});

after(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

function post(path, body, headers = {}) {
  return request(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

test('replays a non-streaming fixture and records the request', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const res = await post(
    '/v1/chat/completions',
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    { authorization: 'Bearer sk-test' },
  );
  const expected = fixture('openai/chat_completion_success.json').response;
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, expected.body);
  assert.equal(res.headers.get('x-request-id'), expected.headers['x-request-id']);
  assert.match(res.headers.get('content-type'), /application\/json/);

  assert.equal(fake.requests.length, 1);
  const seen = fake.requests[0];
  assert.equal(seen.method, 'POST');
  assert.equal(seen.path, '/v1/chat/completions');
  assert.equal(seen.headers.authorization, 'Bearer sk-test');
  assert.deepEqual(seen.body, {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(fake.requestsFor('gpt-4o-mini').length, 1);
});

test('the queue goes before routes; unmatched requests get 404 no_script', async () => {
  fake.route('m', { status: 200, body: { from: 'route' } });
  fake.enqueue({ status: 201, body: { from: 'queue' } });
  const first = await post('/v1/chat/completions', { model: 'm' });
  const second = await post('/v1/chat/completions', { model: 'm' });
  const third = await post('/v1/chat/completions', { model: 'other' });
  assert.equal(first.status, 201);
  assert.deepEqual(first.json, { from: 'queue' });
  assert.deepEqual(second.json, { from: 'route' });
  assert.equal(third.status, 404);
  assert.equal(third.json.error.code, 'no_script');
});

test('GET /v1/models replays the recorded model list by default', async () => {
  const res = await request(`${fake.url}/v1/models`);
  assert.equal(res.status, 200);
  assert.ok(res.json.data.some((m) => m.id === 'gpt-4o-mini'));
});

test('error fixtures keep status, headers and body', async () => {
  fake.route('limited', { fixture: 'openai/rate_limit.json' });
  const res = await post('/v1/chat/completions', { model: 'limited' });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.equal(res.json.error.code, 'rate_limit_exceeded');
});

test('streams a chat fixture as data events ending in [DONE]', async () => {
  fake.route('s', { fixture: 'openai/chat_completion_streaming.json' });
  const res = await postSse(`${fake.url}/v1/chat/completions`, { model: 's', stream: true });
  const chunks = fixture('openai/chat_completion_streaming.json').response.chunks;
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.equal(res.error, null);
  assert.equal(res.events.length, chunks.length + 1);
  assert.deepEqual(
    res.events.slice(0, -1).map((e) => e.json),
    chunks,
  );
  assert.ok(res.events.every((e) => e.event === null));
  assert.equal(res.events.at(-1).data, '[DONE]');
});

test('appends a usage-only chunk when the request asks for include_usage', async () => {
  fake.route('s', {
    fixture: 'openai/chat_completion_streaming.json',
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  });
  const res = await postSse(`${fake.url}/v1/chat/completions`, {
    model: 's',
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = fixture('openai/chat_completion_streaming.json').response.chunks;
  assert.equal(res.events.length, chunks.length + 2);
  const usage = res.events.at(-2).json;
  assert.deepEqual(usage.choices, []);
  assert.deepEqual(usage.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  assert.equal(usage.id, chunks[0].id);
  assert.equal(res.events.at(-1).data, '[DONE]');
});

test('streams a Responses fixture as typed events without [DONE]', async () => {
  fake.route('r', { fixture: 'openai/responses_streaming.json' });
  const res = await postSse(`${fake.url}/v1/responses`, { model: 'r', stream: true });
  const chunks = fixture('openai/responses_streaming.json').response.chunks;
  assert.equal(res.events.length, chunks.length);
  for (const [i, event] of res.events.entries()) {
    assert.equal(event.event, chunks[i].type);
    assert.deepEqual(event.json, chunks[i]);
  }
  assert.ok(!res.events.some((e) => e.done));
});

test('drop: the stream breaks off after N chunks', async () => {
  fake.route('d', {
    fixture: 'openai/chat_completion_streaming.json',
    fault: 'drop',
    afterChunks: 3,
  });
  const res = await postSse(`${fake.url}/v1/chat/completions`, { model: 'd', stream: true });
  assert.equal(res.status, 200);
  assert.equal(res.events.length, 3);
  assert.ok(!res.events.some((e) => e.done));
  assert.ok(res.error, 'a truncated chunked body is an error for the client');
  await waitFor(() => fake.requests[0].closed, { message: 'the dropped exchange to close' });
  assert.equal(fake.requests[0].aborted, true);
});

test('stall: chunks, then silence on an open connection', async () => {
  fake.route('st', {
    fixture: 'openai/chat_completion_streaming.json',
    fault: 'stall',
    afterChunks: 2,
  });
  const controller = new AbortController();
  const res = await fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'st', stream: true }),
    signal: controller.signal,
  });
  const events = [];
  const reading = (async () => {
    for await (const event of sseEvents(res)) {
      events.push(event);
    }
  })().catch(() => {});
  await waitFor(() => events.length === 2, { message: 'two events' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(events.length, 2);
  assert.equal(fake.requests[0].closed, false);
  controller.abort();
  await reading;
  await waitFor(() => fake.requests[0].closed, { message: 'the stalled exchange to close' });
});

test('chunkDelayMs spaces the chunks; a client that leaves is seen as closed', async () => {
  fake.route('slow', { fixture: 'openai/chat_completion_streaming.json', chunkDelayMs: 100 });
  const controller = new AbortController();
  const started = Date.now();
  const res = await fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'slow', stream: true }),
    signal: controller.signal,
  });
  const events = [];
  try {
    for await (const event of sseEvents(res)) {
      events.push(event);
      if (events.length === 3) {
        controller.abort();
      }
    }
  } catch {
    // aborted
  }
  assert.ok(Date.now() - started >= 250, 'three chunks take at least ~300 ms');
  await waitFor(() => fake.requests[0].closed, { message: 'the exchange to close' });
  assert.equal(fake.requests[0].aborted, true);
  assert.ok(fake.requests[0].chunksSent < 10);
});

test('hang: never answers; the connection is seen closed when the client leaves', async () => {
  fake.route('h', { fault: 'hang' });
  const opened = fake.connections.opened;
  const controller = new AbortController();
  const pending = fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'h' }),
    signal: controller.signal,
  }).catch((err) => err);
  await waitFor(() => fake.requests.length === 1, { message: 'the request to arrive' });
  assert.ok(fake.openConnections >= 1);
  assert.ok(fake.connections.opened >= opened);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(fake.requests[0].closed, false);
  controller.abort();
  const err = await pending;
  assert.ok(err instanceof Error);
  await waitFor(() => fake.requests[0].connectionClosed, {
    message: 'the held connection to close',
  });
  assert.equal(fake.requests[0].aborted, true);
});

test('reset and close: the client sees a connection error', async () => {
  for (const fault of ['reset', 'close']) {
    fake.route(fault, { fault });
    const err = await new Promise((resolve) => {
      const req = http.request(
        `${fake.url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        () => resolve(null),
      );
      req.on('error', resolve);
      req.end(JSON.stringify({ model: fault }));
    });
    assert.ok(err instanceof Error, `${fault}: expected a connection error`);
    assert.match(
      err.code,
      fault === 'reset' ? /ECONNRESET/ : /ECONNRESET|ERR_STREAM|UND_ERR|EPIPE/,
    );
  }
});
