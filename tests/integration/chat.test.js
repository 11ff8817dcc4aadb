'use strict';

// Chat Completions through the gateway to OpenAI-compatible upstreams (the fake upstream
// replaying recorded OpenAI and OpenRouter responses): bodies, headers, what is forwarded,
// streams, tool calls and vision.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { UUID_RE, assertError, openAiProvider, postSse, startGateway } = require('../lib/gateway');

const HADRIAN_EXTENSIONS = ['models', 'provider', 'plugins', 'top_k'];

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        openrouter: openAiProvider(`${fake.url}/api/v1`, {
          api_key: 'sk-or-test',
          headers: { 'HTTP-Referer': 'https://hadrian.example', 'X-Title': 'Hadrian tests' },
        }),
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

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'List the first ten prime numbers, one per line.' },
];

function chunksOf(name) {
  return fixture(name).response.chunks;
}

function dataEvents(events) {
  return events.filter((e) => !e.done);
}

function textOf(events) {
  return dataEvents(events)
    .flatMap((e) => (e.json && e.json.choices) || [])
    .map((c) => (c.delta && c.delta.content) || '')
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

test('non-streaming: the upstream answer, usage headers, and a clean upstream request', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const expected = fixture('openai/chat_completion_success.json').response.body;

  const res = await gw.post(
    '/api/v1/chat/completions',
    {
      model: 'openai/gpt-4o-mini',
      messages,
      temperature: 0,
      max_completion_tokens: 100,
      models: ['openai/gpt-4o-mini'],
      provider: { allow_fallbacks: true },
      plugins: [{ id: 'web' }],
      top_k: 5,
    },
    { headers: { authorization: 'Bearer client-key-must-not-leak' } },
  );

  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /application\/json/);
  assert.equal(res.json.object, 'chat.completion');
  assert.equal(res.json.id, expected.id);
  assert.deepEqual(res.json.choices, expected.choices);
  assert.deepEqual(res.json.usage, expected.usage);

  assert.match(res.headers.get('x-request-id') || '', UUID_RE);
  assert.equal(res.headers.get('x-provider'), 'openai');
  assert.match(res.headers.get('x-model') || '', /gpt-4o-mini/);
  assert.equal(res.headers.get('x-input-tokens'), '24');
  assert.equal(res.headers.get('x-output-tokens'), '20');
  assert.equal(res.headers.get('x-finish-reason'), 'stop');

  const seen = onlyUpstreamRequest();
  assert.equal(seen.method, 'POST');
  assert.equal(seen.path, '/v1/chat/completions');
  assert.equal(seen.headers.authorization, 'Bearer sk-test', "the provider key, not the client's");
  assert.ok(!JSON.stringify(seen.headers).includes('client-key-must-not-leak'));
  assert.equal(seen.body.model, 'gpt-4o-mini');
  assert.deepEqual(seen.body.messages, messages);
  assert.equal(seen.body.temperature, 0);
  assert.equal(seen.body.max_completion_tokens, 100);
  for (const field of HADRIAN_EXTENSIONS) {
    assert.ok(!(field in seen.body), `"${field}" must not be forwarded: ${seen.rawBody}`);
  }
});

test('a body needing no rewrite goes upstream as written, only the model replaced', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  // Spacing, number spellings, escapes and member order a re-serialization would change.
  const raw =
    '{\n  "messages": [{"role": "user", "content": "caf\\u00e9 \\/ \\"quoted\\""}],\n' +
    '  "temperature": 0.50, "max_completion_tokens": 1e2,\n' +
    '  "model" : "openai/gpt-4o-mini",\n  "user": "u-1"\n}\n';

  const res = await gw.post('/api/v1/chat/completions', raw);

  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-input-tokens'), '24');
  assert.equal(res.headers.get('x-finish-reason'), 'stop');
  const seen = onlyUpstreamRequest();
  assert.equal(seen.rawBody, raw.replace('"openai/gpt-4o-mini"', '"gpt-4o-mini"'));
});

test("X-Request-Id: the client's own id is echoed", async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const id = '3f1c2a9e-8b7d-4c6e-9f01-23456789abcd';
  const res = await gw.post(
    '/api/v1/chat/completions',
    { model: 'openai/gpt-4o-mini', messages },
    { headers: { 'x-request-id': id } },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-request-id'), id);
});

test('a bare model goes to the default provider', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const res = await gw.post('/api/v1/chat/completions', { model: 'gpt-4o-mini', messages });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'openai');
  assert.equal(onlyUpstreamRequest().body.model, 'gpt-4o-mini');
});

test('an unknown plugin id is a 400 validation_error on "plugins", nothing sent upstream', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openai/gpt-4o-mini',
    messages,
    plugins: [{ id: 'nope' }],
  });
  assertError(res, {
    status: 400,
    code: 'validation_error',
    type: 'invalid_request_error',
    param: 'plugins',
  });
  assert.equal(fake.requests.length, 0);
});

test('streaming: every upstream chunk, then [DONE]; usage asked upstream, not forwarded', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_streaming.json' });
  const chunks = chunksOf('openai/chat_completion_streaming.json');

  const requestId = 'b6d1e7a2-0c4f-4e8b-9a3d-5f6e7a8b9c0d';
  const res = await postSse(
    `${gw.baseURL}/chat/completions`,
    { model: 'openai/gpt-4o-mini', messages, stream: true },
    { headers: { 'x-request-id': requestId } },
  );

  assert.equal(res.status, 200, res.text);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  assert.equal(res.headers.get('x-request-id'), requestId);
  assert.equal(res.headers.get('x-provider'), 'openai');
  assert.match(res.headers.get('x-model') || '', /gpt-4o-mini/);
  assert.equal(res.error, null, `stream broke: ${res.error}`);
  assert.ok(res.events.length > 0);
  assert.equal(res.events.at(-1).data, '[DONE]', 'the stream ends with [DONE]');
  assert.equal(res.events.filter((e) => e.done).length, 1);

  const data = dataEvents(res.events);
  assert.ok(
    data.every((e) => e.json && e.json.object === 'chat.completion.chunk'),
    'chunks are JSON',
  );
  assert.ok(
    !data.some((e) => Array.isArray(e.json.choices) && e.json.choices.length === 0),
    'the usage-only chunk is not forwarded when the client did not ask for it',
  );
  assert.equal(data.length, chunks.length);
  assert.deepEqual(
    data.map((e) => e.json.choices),
    chunks.map((c) => c.choices),
  );
  assert.equal(textOf(res.events), chunks.map((c) => c.choices[0].delta.content || '').join(''));

  const seen = onlyUpstreamRequest();
  assert.equal(seen.body.stream, true);
  assert.equal(seen.body.model, 'gpt-4o-mini');
  assert.equal(seen.body.stream_options && seen.body.stream_options.include_usage, true);
  // The client's text, the option added after the model: not parsed and written again.
  assert.equal(
    seen.rawBody,
    JSON.stringify({ model: 'openai/gpt-4o-mini', messages, stream: true }).replace(
      '"openai/gpt-4o-mini"',
      '"gpt-4o-mini","stream_options":{"include_usage":true}',
    ),
  );
});

test('streaming with include_usage: the usage-only chunk comes last before [DONE]', async () => {
  const usage = { prompt_tokens: 24, completion_tokens: 41, total_tokens: 65 };
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_streaming.json', usage });
  const chunks = chunksOf('openai/chat_completion_streaming.json');

  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.events.at(-1).data, '[DONE]');
  const data = dataEvents(res.events);
  assert.equal(data.length, chunks.length + 1);
  const last = data.at(-1).json;
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.prompt_tokens, usage.prompt_tokens);
  assert.equal(last.usage.completion_tokens, usage.completion_tokens);
  assert.equal(last.usage.total_tokens, usage.total_tokens);
  const seen = onlyUpstreamRequest();
  assert.equal(seen.body.stream_options.include_usage, true);
  // Nothing to add: the body went as the client wrote it, but for the model.
  assert.equal(
    seen.rawBody,
    JSON.stringify({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
});

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get the current weather in a location',
      parameters: {
        type: 'object',
        properties: {
          location: { type: 'string', description: 'City and country' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        },
        required: ['location'],
      },
    },
  },
];

test('tool call: tool_calls answer and finish reason; tools forwarded unchanged', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/tool_call_success.json' });
  const expected = fixture('openai/tool_call_success.json').response.body;

  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
    tools,
    tool_choice: 'auto',
  });

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.choices, expected.choices);
  assert.equal(res.json.choices[0].finish_reason, 'tool_calls');
  assert.equal(res.headers.get('x-finish-reason'), 'tool_calls');
  assert.equal(res.headers.get('x-input-tokens'), '83');
  assert.equal(res.headers.get('x-output-tokens'), '17');

  const seen = onlyUpstreamRequest();
  assert.deepEqual(seen.body.tools, tools);
  assert.equal(seen.body.tool_choice, 'auto');
});

test('parallel tool calls: both calls arrive', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/tool_call_parallel.json' });
  const expected = fixture('openai/tool_call_parallel.json').response.body;

  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'Weather in Tokyo and in London?' }],
    tools,
    parallel_tool_calls: true,
  });

  assert.equal(res.status, 200, res.text);
  const calls = res.json.choices[0].message.tool_calls;
  assert.deepEqual(calls, expected.choices[0].message.tool_calls);
  assert.equal(calls.length, 2);
  assert.equal(onlyUpstreamRequest().body.parallel_tool_calls, true);
});

test('streaming tool call: argument deltas rebuild the arguments', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/tool_call_streaming.json' });
  const chunks = chunksOf('openai/tool_call_streaming.json');

  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
    tools,
    stream: true,
  });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.events.at(-1).data, '[DONE]');
  const data = dataEvents(res.events).filter((e) => e.json.choices.length > 0);
  assert.equal(data.length, chunks.length);
  const deltas = data.flatMap((e) => e.json.choices[0].delta.tool_calls || []);
  const first = deltas.find((d) => d.id);
  assert.equal(first.id, 'call_fyOjJxIMbxMFjVQTZbvLCyJa');
  assert.equal(first.function.name, 'get_weather');
  const args = deltas.map((d) => (d.function && d.function.arguments) || '').join('');
  assert.deepEqual(JSON.parse(args), { location: 'San Francisco, USA' });
  assert.equal(data.at(-1).json.choices[0].finish_reason, 'tool_calls');
});

test('vision: image content parts are forwarded unchanged', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/vision_success.json' });
  const expected = fixture('openai/vision_success.json').response.body;
  const pixel =
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNg+M8AAAICAQB7CYF4AAAAAElFTkSuQmCC';
  const visionMessages = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe this image in three bullet points.' },
        { type: 'image_url', image_url: { url: pixel, detail: 'low' } },
      ],
    },
  ];

  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openai/gpt-4o-mini',
    messages: visionMessages,
  });

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.choices, expected.choices);
  assert.equal(res.headers.get('x-input-tokens'), '2869');
  assert.deepEqual(onlyUpstreamRequest().body.messages, visionMessages);
});

test('OpenRouter: model ids with a slash, its own base URL and key', async () => {
  fake.route('openai/gpt-4o-mini', { fixture: 'openrouter/chat_completion_success.json' });
  const expected = fixture('openrouter/chat_completion_success.json').response.body;

  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openrouter/openai/gpt-4o-mini',
    messages,
  });

  assert.equal(res.status, 200, res.text);
  assert.deepEqual(
    res.json.choices.map((c) => c.message.content),
    [expected.choices[0].message.content],
  );
  assert.equal(res.json.choices[0].finish_reason, 'stop');
  assert.equal(res.json.usage.prompt_tokens, 24);
  assert.equal(res.json.usage.completion_tokens, 20);
  assert.equal(res.headers.get('x-provider'), 'openrouter');

  const seen = onlyUpstreamRequest();
  assert.equal(seen.path, '/api/v1/chat/completions');
  assert.equal(seen.headers.authorization, 'Bearer sk-or-test');
  assert.equal(
    seen.headers['http-referer'],
    'https://hadrian.example',
    'configured headers are sent',
  );
  assert.equal(seen.headers['x-title'], 'Hadrian tests');
  assert.equal(seen.body.model, 'openai/gpt-4o-mini');
});

test('OpenRouter streaming: the text and the usage arrive, then [DONE]', async () => {
  fake.route('openai/gpt-4o-mini', { fixture: 'openrouter/chat_completion_streaming.json' });
  const chunks = chunksOf('openrouter/chat_completion_streaming.json');
  const expectedText = chunks.map((c) => c.choices[0].delta.content || '').join('');
  const expectedUsage = chunks.find((c) => c.usage).usage;

  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'openrouter/openai/gpt-4o-mini',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });

  assert.equal(res.status, 200, res.text);
  assert.equal(res.error, null, `stream broke: ${res.error}`);
  assert.equal(res.events.at(-1).data, '[DONE]');
  assert.equal(textOf(res.events), expectedText);
  const withUsage = dataEvents(res.events).filter((e) => e.json.usage);
  assert.equal(withUsage.length, 1, 'one chunk carries the usage');
  assert.equal(withUsage[0].json.usage.prompt_tokens, expectedUsage.prompt_tokens);
  assert.equal(withUsage[0].json.usage.completion_tokens, expectedUsage.completion_tokens);
  assert.equal(res.headers.get('x-provider'), 'openrouter');
  assert.equal(onlyUpstreamRequest().path, '/api/v1/chat/completions');
});

test('a large body written in pieces arrives whole, and a request pipelined after it is answered', async () => {
  fake.route('gpt-4o-mini', { fixture: 'openai/chat_completion_success.json' });
  // 1.5 MB of text across many small writes: the gateway reads it as it comes.
  const content = Array.from({ length: 30000 }, (_, i) => `line ${i} of a long prompt.`).join('\n');
  const body = JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content }] });
  const head =
    'POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  const next = 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const raw = await new Promise((resolve, reject) => {
    const socket = net.connect({ port: gw.port, host: '127.0.0.1' });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no two answers in time; got: ${text.slice(0, 300)}`));
    }, 20000);
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      text += d;
      if ((text.match(/HTTP\/1\.1 /g) || []).length >= 2 && text.includes('{"status":"ok"}')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      const all = Buffer.from(head + body + next);
      const piece = 64 * 1024 + 7;
      for (let at = 0; at < all.length; at += piece) {
        socket.write(all.subarray(at, at + piece));
        await new Promise((r) => setTimeout(r, 2));
      }
    });
  });
  assert.match(raw, /^HTTP\/1\.1 200 /);
  assert.equal(onlyUpstreamRequest().body.messages[0].content, content);
  assert.match(raw, /\{"status":"ok"\}$/);
});
