'use strict';

// The Responses API through the gateway to OpenAI-compatible upstreams (recorded OpenAI and
// OpenRouter responses): bodies, headers, and typed event streams.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { UUID_RE, assertError, openAiProvider, postSse, startGateway } = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        openrouter: openAiProvider(`${fake.url}/api/v1`, { api_key: 'sk-or-test' }),
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

const input = 'List the first ten prime numbers, one per line.';

function outputText(response) {
  return response.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .filter((part) => part.type === 'output_text')
    .map((part) => part.text)
    .join('');
}

function onlyUpstreamRequest() {
  assert.equal(
    fake.requests.length,
    1,
    `upstream requests: ${JSON.stringify(fake.requests.map((r) => r.path))}`,
  );
  return fake.requests[0];
}

/** Checks shared by every Responses stream; returns the data events (no [DONE]). */
function checkResponsesStream(res, chunks) {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.equal(res.error, null, `stream broke: ${res.error}`);
  const events = res.events.filter((e) => !e.done);
  for (const e of events) {
    assert.ok(e.json, `not JSON: ${e.data}`);
    assert.equal(e.event, e.json.type, 'each event is named after its type');
  }
  assert.deepEqual(
    events.map((e) => e.json.type),
    chunks.map((c) => c.type),
  );
  const numbers = events.map((e) => e.json.sequence_number);
  assert.ok(
    numbers.every((n, i) => i === 0 || n > numbers[i - 1]),
    `sequence numbers: ${numbers}`,
  );
  const last = events.at(-1).json;
  assert.equal(last.type, 'response.completed');
  const deltas = events
    .filter((e) => e.json.type === 'response.output_text.delta')
    .map((e) => e.json.delta)
    .join('');
  assert.equal(deltas, outputText(last.response));
  return events;
}

test('non-streaming: the upstream response, usage headers, a clean upstream request', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/responses_success.json' });
  const expected = fixture('openai/responses_success.json').response.body;

  const res = await gw.post('/api/v1/responses', {
    model: 'openai/gpt-4o-mini',
    input,
    temperature: 0,
    plugins: [{ id: 'web' }],
  });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'response');
  assert.equal(res.json.id, expected.id);
  assert.equal(res.json.status, 'completed');
  assert.deepEqual(res.json.output, expected.output);
  assert.deepEqual(res.json.usage, expected.usage);
  assert.match(res.headers.get('x-request-id') || '', UUID_RE);
  assert.equal(res.headers.get('x-provider'), 'openai');
  assert.match(res.headers.get('x-model') || '', /gpt-4o-mini/);
  assert.equal(res.headers.get('x-input-tokens'), '24');
  assert.equal(res.headers.get('x-output-tokens'), '21');

  const seen = onlyUpstreamRequest();
  assert.equal(seen.path, '/v1/responses');
  assert.equal(seen.headers.authorization, 'Bearer sk-test');
  assert.equal(seen.body.model, 'gpt-4o-mini');
  assert.equal(seen.body.input, input);
  assert.ok(!('plugins' in seen.body), `plugins must not be forwarded: ${seen.rawBody}`);
});

test('streaming: typed events in order, text deltas add up, ends in response.completed', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/responses_streaming.json' });
  const chunks = fixture('openai/responses_streaming.json').response.chunks;

  const res = await postSse(`${gw.baseURL}/responses`, {
    model: 'openai/gpt-4o-mini',
    input,
    stream: true,
  });

  checkResponsesStream(res, chunks);
  assert.equal(res.headers.get('x-provider'), 'openai');
  const seen = onlyUpstreamRequest();
  assert.equal(seen.path, '/v1/responses');
  assert.equal(seen.body.stream, true);
  assert.equal(seen.body.model, 'gpt-4o-mini');
});

test('an unknown plugin id is a 400 validation_error on "plugins"', async () => {
  const res = await gw.post('/api/v1/responses', {
    model: 'openai/gpt-4o-mini',
    input,
    plugins: [{ id: 'nope' }],
  });
  assertError(res, { status: 400, code: 'validation_error', param: 'plugins' });
  assert.equal(fake.requests.length, 0);
});

test('OpenRouter non-streaming', async () => {
  fake.route('openai/gpt-4o-mini', { fixture: 'openrouter/responses_success.json' });
  const expected = fixture('openrouter/responses_success.json').response.body;

  const res = await gw.post('/api/v1/responses', { model: 'openrouter/openai/gpt-4o-mini', input });

  assert.equal(res.status, 200, res.text);
  assert.equal(outputText(res.json), outputText(expected));
  assert.equal(res.json.usage.input_tokens, 24);
  assert.equal(res.json.usage.output_tokens, 20);
  assert.equal(res.headers.get('x-provider'), 'openrouter');
  const seen = onlyUpstreamRequest();
  assert.equal(seen.path, '/api/v1/responses');
  assert.equal(seen.headers.authorization, 'Bearer sk-or-test');
  assert.equal(seen.body.model, 'openai/gpt-4o-mini');
});

test('OpenRouter streaming', async () => {
  fake.route('openai/gpt-4o-mini', { fixture: 'openrouter/responses_streaming.json' });
  const chunks = fixture('openrouter/responses_streaming.json').response.chunks;

  const res = await postSse(`${gw.baseURL}/responses`, {
    model: 'openrouter/openai/gpt-4o-mini',
    input,
    stream: true,
  });

  checkResponsesStream(res, chunks);
  assert.equal(res.headers.get('x-provider'), 'openrouter');
  assert.equal(onlyUpstreamRequest().path, '/api/v1/responses');
});
