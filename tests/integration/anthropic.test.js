'use strict';

// Chat Completions through the gateway to Anthropic's Messages API: a fake Anthropic upstream
// (tests/fakes/anthropic.js) checks the exact request the gateway sends (path, headers,
// translated body) and replays recorded Anthropic answers; the client must see OpenAI-shaped
// bodies, streams and errors.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeAnthropic } = require('../fakes/anthropic');
const { fixture } = require('../fakes/fake_upstream');
const { assertError, postSse, startGateway, waitFor } = require('../lib/gateway');

const MODEL = 'claude-sonnet-4-20250514';
const API_KEY = 'sk-ant-test';

let fake;
let gw;

before(async () => {
  fake = await startFakeAnthropic();
  gw = await startGateway({
    config: {
      providers: {
        anthropic: {
          type: 'anthropic',
          base_url: fake.url,
          api_key: API_KEY,
          default_max_tokens: 1000,
          headers: { 'anthropic-beta': 'test-beta' },
          retry: { max_retries: 0 },
          circuit_breaker: { enabled: false },
        },
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

function chatURL() {
  return `${gw.baseURL}/chat/completions`;
}

/** The one request the fake received, with the headers every Anthropic call carries. */
function upstreamRequest() {
  assert.equal(fake.requests.length, 1, 'exactly one upstream request');
  const req = fake.requests[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/v1/messages');
  assert.equal(req.headers['x-api-key'], API_KEY);
  assert.equal(req.headers['anthropic-version'], '2023-06-01');
  assert.equal(req.headers['anthropic-beta'], 'test-beta');
  assert.match(req.headers['content-type'], /^application\/json/);
  assert.equal(req.headers.authorization, undefined, 'no OpenAI-style bearer token');
  return req;
}

test('a chat request is translated and the answer comes back OpenAI-shaped', async () => {
  fake.enqueue({ fixture: 'messages_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'List the first ten primes, one per line.' },
    ],
    temperature: 0.2,
    stop: 'END',
    user: 'user-42',
    seed: 7,
    frequency_penalty: 0.5,
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(upstreamRequest().body, {
    model: MODEL,
    system: 'You are terse.',
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: 'List the first ten primes, one per line.' }],
      },
    ],
    max_tokens: 1000,
    temperature: 0.2,
    stop_sequences: ['END'],
    metadata: { user_id: 'user-42' },
  });
  const body = res.json;
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.id, 'chatcmpl-msg_016Pz7UZRFUZh4cqQN5Lefox');
  assert.equal(body.model, MODEL);
  assert.equal(typeof body.created, 'number');
  assert.equal(body.choices.length, 1);
  assert.deepEqual(body.choices[0].message, {
    role: 'assistant',
    content: '2\n3\n5\n7\n11\n13\n17\n19\n23\n29',
    refusal: null,
  });
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.equal(body.usage.prompt_tokens, 25);
  assert.equal(body.usage.completion_tokens, 23);
  assert.equal(body.usage.total_tokens, 48);
  assert.equal(body.usage.prompt_tokens_details.cached_tokens, 0);
  assert.equal(res.headers.get('x-provider'), 'anthropic');
  assert.equal(res.headers.get('x-finish-reason'), 'stop');
  assert.equal(res.headers.get('x-input-tokens'), '25');
});

test('tool definitions, tool calls and tool results are translated both ways', async () => {
  fake.enqueue({ fixture: 'tool_call_success.json' });
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather',
        parameters: { type: 'object', properties: { location: { type: 'string' } } },
      },
    },
  ];
  const res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'toolu_prev',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_prev', content: '18C, cloudy' },
      { role: 'user', content: 'And San Francisco?' },
    ],
    tools,
    tool_choice: 'required',
    parallel_tool_calls: false,
    max_completion_tokens: 300,
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(upstreamRequest().body, {
    model: MODEL,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_prev', name: 'get_weather', input: { location: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_prev', content: '18C, cloudy' },
          { type: 'text', text: 'And San Francisco?' },
        ],
      },
    ],
    max_tokens: 300,
    tools: [
      {
        name: 'get_weather',
        description: 'Current weather',
        input_schema: { type: 'object', properties: { location: { type: 'string' } } },
      },
    ],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
  });
  const choice = res.json.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.deepEqual(choice.message.tool_calls, [
    {
      id: 'toolu_01G8tqBVUi6LwtiuWHMpN9PU',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"location":"San Francisco, USA"}' },
    },
  ]);
});

test('reasoning_effort enables thinking and the thinking comes back as reasoning', async () => {
  fake.enqueue({ fixture: 'thinking_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'What is the 15th prime?' }],
    reasoning_effort: 'low',
  });
  assert.equal(res.status, 200, res.text);
  const sent = upstreamRequest().body;
  assert.deepEqual(sent.thinking, { type: 'enabled', budget_tokens: 1024 });
  assert.equal(sent.max_tokens, 2024, 'raised above the budget');
  const message = res.json.choices[0].message;
  assert.match(message.reasoning, /^I need to find the 15th prime number/);
  assert.match(message.content, /the 15th prime number is \*\*47\*\*/);
});

test('image parts become Anthropic image blocks (base64 and URL sources)', async () => {
  fake.enqueue({ fixture: 'vision_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe these.' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
          { type: 'image_url', image_url: { url: 'https://example.com/bird.png', detail: 'low' } },
        ],
      },
    ],
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(upstreamRequest().body.messages[0].content, [
    { type: 'text', text: 'Describe these.' },
    {
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' },
    },
    { type: 'image', source: { type: 'url', url: 'https://example.com/bird.png' } },
  ]);
  assert.match(res.json.choices[0].message.content, /Main subject/);
  assert.equal(res.json.usage.prompt_tokens, 42);
});

test('a streamed answer becomes chat chunks with usage and [DONE]', async () => {
  fake.enqueue({ fixture: 'messages_streaming.json' });
  const out = await postSse(chatURL(), {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Count to 20.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(out.status, 200, out.text);
  assert.equal(upstreamRequest().body.stream, true);
  const events = out.events;
  assert.ok(events.at(-1).done, 'ends with [DONE]');
  const chunks = events.slice(0, -1).map((e) => e.json);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, 'chatcmpl-msg_01XiFejs6jPe7h1KMtTQoYSo');
    assert.equal(c.model, MODEL);
  }
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  const text = chunks
    .filter((c) => c.choices.length > 0)
    .map((c) => c.choices[0].delta.content || '')
    .join('');
  assert.equal(text, Array.from({ length: 20 }, (_, i) => String(i + 1)).join('\n'));
  assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-1).usage.prompt_tokens, 26);
  assert.equal(chunks.at(-1).usage.completion_tokens, 43);
  assert.equal(chunks.at(-1).usage.total_tokens, 69);
});

test('without include_usage the usage chunk is not forwarded', async () => {
  fake.enqueue({ fixture: 'messages_streaming.json' });
  const out = await postSse(chatURL(), {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Count to 20.' }],
    stream: true,
  });
  assert.equal(out.status, 200, out.text);
  assert.ok(out.events.at(-1).done);
  for (const e of out.events.slice(0, -1)) {
    assert.equal(e.json.choices.length, 1);
    assert.equal(e.json.usage, undefined);
  }
});

test('streamed tool-call arguments arrive as deltas, indexed per tool call', async () => {
  fake.enqueue({ fixture: 'tool_call_streaming.json' });
  const out = await postSse(chatURL(), {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
    tools: [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
    ],
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(out.status, 200, out.text);
  const chunks = out.events.filter((e) => !e.done).map((e) => e.json);
  const calls = chunks
    .filter((c) => c.choices.length > 0 && c.choices[0].delta.tool_calls)
    .map((c) => c.choices[0].delta.tool_calls[0]);
  assert.deepEqual(calls[0], {
    index: 0,
    id: 'toolu_01CrDpqCnCcENcbABqdJCQSt',
    type: 'function',
    function: { name: 'get_weather', arguments: '' },
  });
  const fragments = calls.slice(1).map((c) => {
    assert.equal(c.index, 0);
    return c.function.arguments;
  });
  assert.deepEqual(fragments, ['{"locati', 'on": "San ', 'Francisco,', ' USA"}']);
  assert.deepEqual(JSON.parse(fragments.join('')), { location: 'San Francisco, USA' });
  const finish = chunks.find((c) => c.choices.length > 0 && c.choices[0].finish_reason);
  assert.equal(finish.choices[0].finish_reason, 'tool_calls');
  assert.equal(chunks.at(-1).usage.completion_tokens, 69);
  assert.ok(out.events.at(-1).done);
});

test('a stream cut before message_stop ends with an in-band error and no [DONE]', async () => {
  fake.enqueue({ fixture: 'messages_streaming.json', stopAfter: 5 });
  const out = await postSse(chatURL(), {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Count to 20.' }],
    stream: true,
  });
  assert.equal(out.status, 200);
  assert.ok(!out.events.some((e) => e.done), 'no [DONE]');
  const last = out.events.at(-1).json;
  assert.ok(last.error, `last event is an error: ${JSON.stringify(last)}`);
  assert.equal(last.error.code, 'provider_error');
});

test('an in-band overloaded_error in the stream is reported in our shape', async () => {
  const response = {
    status: 200,
    streaming: true,
    chunks: [
      fixture('anthropic/messages_streaming.json').response.chunks[0],
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ],
  };
  fake.enqueue({ response });
  const out = await postSse(chatURL(), {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
  });
  assert.ok(!out.events.some((e) => e.done));
  const last = out.events.at(-1).json;
  assert.equal(last.error.code, 'overloaded_error');
  assert.equal(last.error.message, 'Overloaded');
});

test('upstream errors keep their status with the Anthropic error type as code', async () => {
  fake.enqueue({
    response: {
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    },
  });
  let res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  let err = assertError(res, { status: 529, code: 'overloaded_error', type: 'server_error' });
  assert.equal(err.message, 'Overloaded');

  fake.enqueue({ fixture: 'unauthorized.json' });
  res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  err = assertError(res, { status: 401, code: 'authentication_error' });
  assert.equal(err.message, 'invalid x-api-key');

  fake.enqueue({ fixture: 'bad_request.json' });
  res = await gw.post('/api/v1/chat/completions', {
    model: 'anthropic/invalid-model-that-does-not-exist',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  assertError(res, { status: 404, code: 'not_found_error', type: 'invalid_request_error' });
});

test('the Responses API goes through the chat translation', async () => {
  fake.enqueue({ fixture: 'messages_success.json' });
  const res = await gw.post('/api/v1/responses', {
    model: `anthropic/${MODEL}`,
    instructions: 'You are terse.',
    input: 'List the first ten primes, one per line.',
    max_output_tokens: 200,
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(upstreamRequest().body, {
    model: MODEL,
    system: 'You are terse.',
    messages: [
      {
        role: 'user',
        content: [{ type: 'text', text: 'List the first ten primes, one per line.' }],
      },
    ],
    max_tokens: 200,
  });
  assert.equal(res.json.object, 'response');
  assert.equal(res.json.status, 'completed');
  const message = res.json.output.find((item) => item.type === 'message');
  assert.equal(message.content[0].text, '2\n3\n5\n7\n11\n13\n17\n19\n23\n29');
  assert.equal(res.json.usage.input_tokens, 25);
  assert.equal(res.json.usage.output_tokens, 23);

  fake.reset();
  fake.enqueue({ fixture: 'tool_call_streaming.json' });
  const out = await postSse(`${gw.baseURL}/responses`, {
    model: `anthropic/${MODEL}`,
    input: 'Weather in San Francisco?',
    tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
    stream: true,
  });
  assert.equal(out.status, 200, out.text);
  assert.equal(upstreamRequest().body.stream, true);
  const types = out.events.map((e) => e.event);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  const argDeltas = out.events.filter((e) => e.event === 'response.function_call_arguments.delta');
  assert.equal(argDeltas.length, 4, 'argument deltas as they came');
  const done = out.events.find((e) => e.event === 'response.function_call_arguments.done');
  assert.equal(done.json.arguments, '{"location": "San Francisco, USA"}');
  assert.equal(out.events.at(-1).json.response.usage.input_tokens, 430);
});

test('requests Anthropic cannot serve are rejected before any upstream call', async () => {
  let res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [{ role: 'user', content: 'Hi' }],
    n: 2,
  });
  assertError(res, { status: 400, code: 'validation_error', param: 'n' });
  res = await gw.post('/api/v1/chat/completions', {
    model: `anthropic/${MODEL}`,
    messages: [
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }],
      },
    ],
  });
  assertError(res, { status: 400, code: 'validation_error' });
  res = await gw.post('/api/v1/embeddings', { model: `anthropic/${MODEL}`, input: 'hi' });
  assertError(res, { status: 501, code: 'not_supported' });
  assert.equal(fake.requests.length, 0);
});

test('/models lists what the Anthropic models endpoint lists', async () => {
  const res = await waitFor(
    async () => {
      const r = await gw.get('/api/v1/models');
      return r.json.data.some((m) => m.id === 'anthropic/claude-haiku-4-5') ? r : null;
    },
    { message: 'the listed Anthropic models' },
  );
  assert.ok(res.json.data.some((m) => m.id === 'anthropic/claude-sonnet-4-5-20250929'));
  const seen = fake.listRequests[0];
  assert.equal(seen.url, '/v1/models?limit=1000');
  assert.equal(seen.headers['anthropic-version'], '2023-06-01');
  assert.ok(seen.headers['x-api-key'], 'the key is sent');
});

test('translated chunks read together go out before the gateway waits on Anthropic again', async () => {
  // Chunks the gateway has in hand are written together; whatever it holds goes out before
  // it waits for more. Here Anthropic sends nothing more until the client saw it all.
  const events = fixture('anthropic/messages_streaming.json').response.chunks;
  const sse = (list) => list.map((ev) => `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
  const cut = events.findIndex((ev) => ev.type === 'content_block_stop');
  const early = events
    .slice(0, cut)
    .filter((ev) => ev.type === 'content_block_delta')
    .map((ev) => ev.delta.text)
    .join('');
  let release;
  let late = false;
  const gate = new Promise((resolve) => {
    release = () => resolve(sse(events.slice(cut)).join(''));
  });
  const timer = setTimeout(() => {
    late = true; // Anthropic goes on anyway: no hang
    release();
  }, 5000);
  fake.enqueue({ text: [sse(events.slice(0, cut)).join(''), gate] });
  const res = await fetch(chatURL(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: `anthropic/${MODEL}`,
      messages: [{ role: 'user', content: 'Count to 20.' }],
      stream: true,
    }),
  });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  let seen = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    raw += decoder.decode(value, { stream: true });
    const text = raw
      .split('\n\n')
      .slice(0, -1) // the last is not whole yet
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content || '')
      .join('');
    if (!seen && !late && text === early) {
      seen = true;
      clearTimeout(timer);
      release();
    }
  }
  clearTimeout(timer);
  assert.ok(seen, `the chunks in hand reached the client while Anthropic waited: ${raw}`);
  assert.ok(raw.endsWith('data: [DONE]\n\n'), raw);
});
