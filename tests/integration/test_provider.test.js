'use strict';

// The built-in `test` provider: deterministic answers, streamed in `chunk_count` pieces,
// and its failure modes.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { UUID_RE, assertError, postSse, startGateway, testProvider } = require('../lib/gateway');

const TEXT = 'The quick brown fox jumps over the lazy dog, deterministically.';

let gw;

before(async () => {
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'test',
        test: testProvider({ response_text: TEXT, chunk_count: 4 }),
        http_error: testProvider({ failure_mode: 'http_error', failure_status: 503 }),
        conn_error: testProvider({ failure_mode: 'connection_error' }),
        fail_after: testProvider({
          response_text: TEXT,
          chunk_count: 6,
          failure_mode: 'fail_after',
          fail_after_chunks: 2,
        }),
        timeout: testProvider({ failure_mode: 'timeout', timeout_secs: 1 }),
      },
    },
  });
});

after(async () => {
  if (gw) {
    await gw.dispose();
  }
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

const messages = [{ role: 'user', content: 'Say something.' }];

function contentOf(events) {
  return events
    .filter((e) => e.json && Array.isArray(e.json.choices))
    .flatMap((e) => e.json.choices)
    .map((c) => (c.delta && c.delta.content) || '')
    .join('');
}

test('non-streaming chat: the configured text, usage and headers', async () => {
  const res = await gw.post('/api/v1/chat/completions', { model: 'test/any-model', messages });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'chat.completion');
  assert.equal(res.json.choices.length, 1);
  assert.equal(res.json.choices[0].message.role, 'assistant');
  assert.equal(res.json.choices[0].message.content, TEXT);
  assert.equal(res.json.choices[0].finish_reason, 'stop');
  assert.equal(typeof res.json.usage.prompt_tokens, 'number');
  assert.equal(typeof res.json.usage.completion_tokens, 'number');
  assert.equal(
    res.json.usage.total_tokens,
    res.json.usage.prompt_tokens + res.json.usage.completion_tokens,
  );
  assert.match(res.headers.get('x-request-id') || '', UUID_RE);
  assert.equal(res.headers.get('x-provider'), 'test');
  assert.ok(res.headers.get('x-model'), 'X-Model is set');
  assert.equal(res.headers.get('x-input-tokens'), String(res.json.usage.prompt_tokens));
  assert.equal(res.headers.get('x-output-tokens'), String(res.json.usage.completion_tokens));
  assert.equal(res.headers.get('x-finish-reason'), 'stop');
});

test('a bare model goes to the default (test) provider, deterministically', async () => {
  const first = await gw.post('/api/v1/chat/completions', { model: 'whatever', messages });
  const second = await gw.post('/api/v1/chat/completions', { model: 'whatever', messages });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('x-provider'), 'test');
  assert.equal(first.json.choices[0].message.content, TEXT);
  assert.equal(second.json.choices[0].message.content, TEXT);
});

test('streaming chat: the text in chunk_count pieces, then [DONE]', async () => {
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'test/any-model',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.equal(res.error, null);
  assert.equal(res.events.at(-1).data, '[DONE]');
  assert.equal(contentOf(res.events), TEXT);
  const pieces = res.events
    .filter((e) => e.json && Array.isArray(e.json.choices))
    .flatMap((e) => e.json.choices)
    .filter((c) => c.delta && c.delta.content);
  assert.equal(pieces.length, 4, 'chunk_count = 4 content pieces');
  const finish = res.events
    .filter((e) => e.json && Array.isArray(e.json.choices))
    .flatMap((e) => e.json.choices)
    .map((c) => c.finish_reason)
    .filter(Boolean);
  assert.deepEqual(finish, ['stop']);
  assert.ok(
    !res.events.some((e) => e.json && Array.isArray(e.json.choices) && e.json.choices.length === 0),
    'no usage-only chunk unless asked for',
  );
});

test('streaming chat with include_usage: a usage-only chunk before [DONE]', async () => {
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'test/any-model',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.events.at(-1).data, '[DONE]');
  const last = res.events.at(-2).json;
  assert.deepEqual(last.choices, []);
  assert.equal(typeof last.usage.prompt_tokens, 'number');
  assert.equal(typeof last.usage.completion_tokens, 'number');
});

test('Responses, non-streaming and streaming, carry the configured text', async () => {
  const plain = await gw.post('/api/v1/responses', {
    model: 'test/any-model',
    input: 'Say something.',
  });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json.object, 'response');
  assert.equal(plain.json.status, 'completed');
  const text = plain.json.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .filter((part) => part.type === 'output_text')
    .map((part) => part.text)
    .join('');
  assert.equal(text, TEXT);
  assert.equal(typeof plain.json.usage.input_tokens, 'number');
  assert.equal(typeof plain.json.usage.output_tokens, 'number');

  const streamed = await postSse(`${gw.baseURL}/responses`, {
    model: 'test/any-model',
    input: 'Say something.',
    stream: true,
  });
  assert.equal(streamed.status, 200, streamed.text);
  const events = streamed.events.filter((e) => !e.done);
  for (const e of events) {
    assert.equal(e.event, e.json.type);
    assert.equal(typeof e.json.sequence_number, 'number');
  }
  const types = events.map((e) => e.json.type);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  const deltas = events
    .filter((e) => e.json.type === 'response.output_text.delta')
    .map((e) => e.json.delta)
    .join('');
  assert.equal(deltas, TEXT);
});

test('failure_mode http_error: the configured status, in the error shape', async () => {
  const res = await gw.post('/api/v1/chat/completions', { model: 'http_error/any', messages });
  assertError(res, { status: 503 });
  assert.notEqual(res.json.error.code, 'circuit_breaker_open');
});

test('failure_mode connection_error: 502 provider_error', async () => {
  const res = await gw.post('/api/v1/chat/completions', { model: 'conn_error/any', messages });
  assertError(res, { status: 502, code: 'provider_error', type: 'server_error' });
});

test('failure_mode timeout: 502 provider_error after the provider timeout', async () => {
  const started = Date.now();
  const res = await gw.post('/api/v1/chat/completions', { model: 'timeout/any', messages });
  assertError(res, { status: 502, code: 'provider_error' });
  assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms with timeout_secs = 1`);
});

test('failure_mode fail_after: chunks, then an in-band error and no [DONE]', async () => {
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'fail_after/any',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(!res.events.some((e) => e.done), 'no [DONE] after a failure');
  const last = res.events.at(-1);
  assert.ok(
    last && last.json && last.json.error,
    `the last event is an error: ${last && last.data}`,
  );
  assert.equal(typeof last.json.error.message, 'string');
  const pieces = res.events
    .filter((e) => e.json && Array.isArray(e.json.choices))
    .flatMap((e) => e.json.choices)
    .filter((c) => c.delta && c.delta.content);
  assert.equal(pieces.length, 2, 'fail_after_chunks = 2 pieces arrive first');
  assert.ok(TEXT.startsWith(contentOf(res.events)));
});
