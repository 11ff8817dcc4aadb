'use strict';

// Ollama's OpenAI-compatible API, replayed from recordings: what the client receives is what
// Ollama sent (content, `reasoning`, tool calls, finish reasons, errors), streams included
// when they arrive cut at arbitrary byte boundaries.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { assertError, openAiProvider, postSse, startGateway } = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'ollama',
        ollama: openAiProvider(fake.baseURL, { api_key: '', fetch_models: false }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await fake?.close();
});

beforeEach(() => fake.reset());
afterEach(async (t) => gw?.reportIfFailed(t));

const messages = [{ role: 'user', content: 'What is the weather in San Francisco?' }];

/** Concatenate one delta field over the chunks of a stream. */
function joined(chunks, field) {
  return chunks
    .flatMap((c) => c.choices || [])
    .map((c) => (c.delta && c.delta[field]) || '')
    .join('');
}

function streamChunks(res) {
  return res.events.filter((e) => !e.done && e.json).map((e) => e.json);
}

for (const name of ['chat_completion_success', 'tool_call_success', 'vision_success']) {
  test(`ollama ${name}: the answer passes through field by field`, async () => {
    const recorded = fixture(`ollama/${name}.json`).response.body;
    fake.setDefault({ fixture: `ollama/${name}.json` });
    const res = await gw.post('/api/v1/chat/completions', { model: 'ollama/qwen3:4b', messages });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.choices, recorded.choices);
    assert.equal(res.json.id, recorded.id);
    assert.equal(res.json.model, recorded.model);
    assert.deepEqual(res.json.usage, recorded.usage);
    assert.equal(res.headers.get('x-finish-reason'), recorded.choices[0].finish_reason);
    assert.equal(Number(res.headers.get('x-input-tokens')), recorded.usage.prompt_tokens);
    const seen = fake.requests[0];
    assert.equal(seen.path, '/v1/chat/completions');
    assert.equal(seen.body.model, 'qwen3:4b');
    assert.equal(seen.headers.authorization, undefined, 'no key configured, none sent');
  });
}

for (const [name, seed] of [
  ['chat_completion_streaming', 7],
  ['tool_call_streaming', 1234],
]) {
  test(`ollama ${name}, cut at random byte boundaries: every chunk arrives intact`, async () => {
    const recorded = fixture(`ollama/${name}.json`).response.chunks;
    fake.setDefault({ fixture: `ollama/${name}.json`, usage: false, splitSeed: seed });
    const res = await postSse(`${gw.baseURL}/chat/completions`, {
      model: 'ollama/qwen3:4b',
      messages,
      stream: true,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.error, null, `stream broke: ${res.error}`);
    assert.equal(res.events.at(-1).data, '[DONE]');
    const got = streamChunks(res);
    assert.equal(got.length, recorded.length, 'one event per recorded chunk');
    assert.deepEqual(got, recorded, 'each chunk as Ollama sent it');
    assert.equal(joined(got, 'reasoning'), joined(recorded, 'reasoning'));
    assert.equal(joined(got, 'content'), joined(recorded, 'content'));
  });
}

test('ollama streamed tool call assembles in the openai client as through OpenAI', async () => {
  fake.setDefault({ fixture: 'ollama/tool_call_streaming.json', usage: false, splitSeed: 99 });
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  const stream = client.chat.completions.stream({
    model: 'ollama/qwen3:4b',
    messages,
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { location: { type: 'string' } } },
        },
      },
    ],
  });
  const completion = await stream.finalChatCompletion();
  const call = completion.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), {
    location: 'San Francisco, USA',
    unit: 'fahrenheit',
  });
  assert.equal(call.id, 'call_sfy1rrw2');
  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
});

test("ollama's 404 for an unknown model keeps its status and message in our shape", async () => {
  fake.setDefault({ fixture: 'ollama/bad_request.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: 'ollama/nonexistent-model-xyz',
    messages,
  });
  assertError(res, { status: 404 });
  assert.equal(res.json.error.message, "model 'nonexistent-model-xyz' not found");
});
