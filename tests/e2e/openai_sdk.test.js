'use strict';

// The official `openai` client against the gateway: what a user of the OpenAI SDK sees,
// with the built-in test provider and with the fake upstream replaying recorded responses.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { openAiProvider, startGateway, testProvider } = require('../lib/gateway');

const TEXT = 'Hello from the Hadrian test provider, through the OpenAI SDK.';

let fake;
let gw;
let client;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'test',
        test: testProvider({ response_text: TEXT, chunk_count: 5 }),
        broken: testProvider({ failure_mode: 'connection_error' }),
        openai: openAiProvider(fake.baseURL),
      },
    },
  });
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0, timeout: 30_000 });
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

const messages = [{ role: 'user', content: 'List the first ten prime numbers, one per line.' }];

async function collectChat(stream) {
  let text = '';
  let finish = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    for (const choice of chunk.choices) {
      text += (choice.delta && choice.delta.content) || '';
      finish = choice.finish_reason || finish;
    }
  }
  return { text, finish, chunks };
}

async function collectResponses(stream) {
  let text = '';
  const types = [];
  let completed = null;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
    }
    if (event.type === 'response.completed') {
      completed = event.response;
    }
  }
  return { text, types, completed };
}

test('test provider: chat.completions.create', async () => {
  const { data, response } = await client.chat.completions
    .create({ model: 'test/sdk', messages })
    .withResponse();
  assert.equal(data.choices[0].message.content, TEXT);
  assert.equal(data.choices[0].finish_reason, 'stop');
  assert.equal(typeof data.usage.prompt_tokens, 'number');
  assert.equal(response.headers.get('x-provider'), 'test');
});

test('test provider: chat.completions.create with stream: true', async () => {
  const stream = await client.chat.completions.create({
    model: 'test/sdk',
    messages,
    stream: true,
  });
  const { text, finish } = await collectChat(stream);
  assert.equal(text, TEXT);
  assert.equal(finish, 'stop');
});

test('test provider: stream with include_usage ends with usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'test/sdk',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let usage = null;
  let text = '';
  for await (const chunk of stream) {
    usage = chunk.usage || usage;
    text += chunk.choices.map((c) => c.delta.content || '').join('');
  }
  assert.equal(text, TEXT);
  assert.ok(usage && typeof usage.completion_tokens === 'number');
});

test('test provider: responses.create', async () => {
  const response = await client.responses.create({ model: 'test/sdk', input: 'Say something.' });
  assert.equal(response.object, 'response');
  assert.equal(response.status, 'completed');
  assert.equal(response.output_text, TEXT);
});

test('test provider: responses.create with stream: true', async () => {
  const stream = await client.responses.create({
    model: 'test/sdk',
    input: 'Say something.',
    stream: true,
  });
  const { text, types, completed } = await collectResponses(stream);
  assert.equal(text, TEXT);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  assert.ok(completed);
  assert.equal(completed.status, 'completed');
});

test('recorded OpenAI answer: chat.completions.create', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const expected = fixture('openai/chat_completion_success.json').response.body;
  const completion = await client.chat.completions.create({
    model: 'openai/gpt-4o-mini',
    messages,
  });
  assert.equal(completion.id, expected.id);
  assert.equal(completion.choices[0].message.content, expected.choices[0].message.content);
  assert.deepEqual(completion.usage, expected.usage);
  assert.equal(fake.requests[0].body.model, 'gpt-4o-mini');
});

test('recorded OpenAI stream: chat.completions.create with stream: true', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_streaming.json' });
  const chunks = fixture('openai/chat_completion_streaming.json').response.chunks;
  const stream = await client.chat.completions.create({
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  const { text, finish, chunks: count } = await collectChat(stream);
  assert.equal(text, chunks.map((c) => c.choices[0].delta.content || '').join(''));
  assert.equal(finish, 'stop');
  assert.equal(count, chunks.length);
});

test('recorded OpenAI tool call: chat.completions.create', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/tool_call_success.json' });
  const completion = await client.chat.completions.create({
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
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
  const call = completion.choices[0].message.tool_calls[0];
  assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco, USA' });
});

test('recorded OpenAI answer: responses.create', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/responses_success.json' });
  const expected = fixture('openai/responses_success.json').response.body;
  const response = await client.responses.create({
    model: 'openai/gpt-4o-mini',
    input: 'List the first ten prime numbers.',
  });
  assert.equal(response.id, expected.id);
  assert.equal(response.output_text, expected.output[0].content[0].text);
  assert.equal(response.usage.output_tokens, expected.usage.output_tokens);
});

test('recorded OpenAI stream: responses.create with stream: true', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/responses_streaming.json' });
  const chunks = fixture('openai/responses_streaming.json').response.chunks;
  const stream = await client.responses.create({
    model: 'openai/gpt-4o-mini',
    input: 'Count to twenty.',
    stream: true,
  });
  const { text, types, completed } = await collectResponses(stream);
  assert.deepEqual(
    types,
    chunks.map((c) => c.type),
  );
  assert.equal(text, completed.output[0].content[0].text);
});

test('a 400 from the gateway surfaces as OpenAI.BadRequestError with our code', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'test/sdk', messages, plugins: [{ id: 'nope' }] }),
    (err) => {
      assert.ok(
        err instanceof OpenAI.BadRequestError,
        `got ${err && err.constructor.name}: ${err}`,
      );
      assert.equal(err.status, 400);
      assert.equal(err.code, 'validation_error');
      assert.equal(err.param, 'plugins');
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.error.code, 'validation_error');
      assert.equal(typeof err.error.request_id, 'string');
      assert.equal(err.requestID, err.error.request_id);
      return true;
    },
  );
});

test('an upstream 400 surfaces as OpenAI.BadRequestError', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/bad_request.json' });
  await assert.rejects(
    client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }),
    (err) => {
      assert.ok(
        err instanceof OpenAI.BadRequestError,
        `got ${err && err.constructor.name}: ${err}`,
      );
      assert.equal(err.status, 400);
      assert.match(err.message, /Invalid model specified/);
      return true;
    },
  );
});

test('a 502 surfaces as OpenAI.InternalServerError with code provider_error', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'broken/sdk', messages }), (err) => {
    assert.ok(
      err instanceof OpenAI.InternalServerError,
      `got ${err && err.constructor.name}: ${err}`,
    );
    assert.equal(err.status, 502);
    assert.equal(err.code, 'provider_error');
    assert.equal(err.error.code, 'provider_error');
    return true;
  });
});

test('a broken stream surfaces as an error while iterating, not as a clean end', async () => {
  fake.route('gpt-4o-mini', {
    fixture: 'openai/chat_completion_streaming.json',
    fault: 'drop',
    afterChunks: 4,
  });
  const stream = await client.chat.completions.create({
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
  });
  let received = 0;
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) {
        if (chunk.choices) {
          received += 1;
        }
      }
    })(),
    (err) => {
      assert.ok(err instanceof OpenAI.APIError, `got ${err && err.constructor.name}: ${err}`);
      assert.equal(err.error && err.error.code, 'provider_error');
      return true;
    },
  );
  assert.equal(received, 4);
});

test('a `models` fallback through the SDK: the broken first candidate is skipped', async () => {
  const models = ['broken/sdk', 'test/test-model'];
  const reply = await client.chat.completions.create({ model: models[0], models, messages });
  assert.equal(reply.choices[0].message.content, TEXT);
  const stream = await client.chat.completions.create({
    model: models[0],
    models,
    messages,
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, TEXT);
});
