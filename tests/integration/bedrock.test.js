'use strict';

// AWS Bedrock (Converse / ConverseStream) through the gateway, against a fake Bedrock
// (tests/fakes/bedrock.js) that recomputes every request's SigV4 signature with node:crypto
// and replays the recorded fixtures; streams go out as real binary event-stream frames
// (prelude, headers, CRC32s) in random-sized writes.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const {
  exceptionFrame,
  fixtureFrames: recordedFrames,
  startFakeBedrock,
} = require('../fakes/bedrock');
const upstream = require('../fakes/fake_upstream');
const { assertError, postSse, startGateway } = require('../lib/gateway');

const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const ENV_ACCESS_KEY = 'AKIDENVEXAMPLE';
const ENV_SECRET_KEY = 'env/secret/EXAMPLEKEY';
const ENV_TOKEN = 'session-token-EXAMPLE';
const SECRETS = { [ACCESS_KEY]: SECRET_KEY, [ENV_ACCESS_KEY]: ENV_SECRET_KEY };
const MODEL = 'us.amazon.nova-lite-v1:0';

const fixture = (name) => upstream.fixture(`bedrock/${name}`);

let fake;
let gw;

before(async () => {
  fake = await startFakeBedrock({ secrets: SECRETS });
  const common = { retry: { max_retries: 0 }, circuit_breaker: { enabled: false } };
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'bedrock',
        bedrock: {
          type: 'bedrock',
          region: 'us-east-1',
          base_url: fake.url,
          credentials: { type: 'static', access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY },
          ...common,
        },
        // Right key id, wrong secret: the fake's check must fail (it is not vacuous).
        bedrock_wrong: {
          type: 'bedrock',
          region: 'us-east-1',
          base_url: fake.url,
          credentials: {
            type: 'static',
            access_key_id: ACCESS_KEY,
            secret_access_key: 'not-the-secret',
          },
          ...common,
        },
        bedrock_env: {
          type: 'bedrock',
          region: 'eu-west-1',
          base_url: fake.url,
          credentials: { type: 'env' },
          ...common,
        },
      },
    },
    env: {
      AWS_ACCESS_KEY_ID: ENV_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: ENV_SECRET_KEY,
      AWS_SESSION_TOKEN: ENV_TOKEN,
    },
  });
});

after(async () => {
  await gw?.dispose();
  await fake?.close();
});

beforeEach(() => fake.reset());
afterEach(async (t) => gw?.reportIfFailed(t));

const messages = [
  { role: 'system', content: 'Answer with numbers only.' },
  { role: 'user', content: 'List the first ten primes.' },
];

function assertSigned(seen, { region = 'us-east-1', accessKey = ACCESS_KEY } = {}) {
  assert.ok(seen.sig.ok, seen.sig.why);
  assert.equal(seen.sig.accessKey, accessKey);
  assert.equal(seen.sig.region, region);
  assert.equal(seen.sig.service, 'bedrock');
  for (const name of ['content-type', 'host', 'x-amz-date']) {
    assert.ok(seen.sig.signedHeaders.includes(name), `${name} is signed`);
  }
}

test('chat: signed Converse call on the encoded model path, OpenAI-shaped answer', async () => {
  fake.enqueue({ fixture: 'converse_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `bedrock/${MODEL}`,
    messages,
    max_tokens: 200,
    temperature: 0.1,
    stop: ['END'],
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'bedrock');
  assert.equal(res.headers.get('x-model'), MODEL);
  const seen = fake.requests[0];
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/model/us.amazon.nova-lite-v1%3A0/converse');
  assertSigned(seen);
  assert.equal(seen.headers['x-amz-security-token'], undefined);
  assert.deepEqual(seen.body, {
    system: [{ text: 'Answer with numbers only.' }],
    messages: [{ role: 'user', content: [{ text: 'List the first ten primes.' }] }],
    inferenceConfig: { maxTokens: 200, temperature: 0.1, stopSequences: ['END'] },
  });

  const body = res.json;
  assert.equal(body.object, 'chat.completion');
  assert.match(body.id, /^chatcmpl-/);
  assert.equal(body.model, MODEL);
  assert.equal(body.choices[0].message.role, 'assistant');
  assert.equal(
    body.choices[0].message.content,
    fixture('converse_success.json').response.body.output.message.content[0].text,
  );
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.equal(body.usage.prompt_tokens, 63);
  assert.equal(body.usage.completion_tokens, 21);
  assert.equal(body.usage.total_tokens, 84);
  assert.equal(res.headers.get('x-finish-reason'), 'stop');
});

test('chat stream: event-stream frames in random pieces become chunks, usage, [DONE]', async () => {
  fake.enqueue({ fixture: 'converse_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: `bedrock/${MODEL}`,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.error, null);
  assert.equal(fake.requests[0].url, '/model/us.amazon.nova-lite-v1%3A0/converse-stream');
  assertSigned(fake.requests[0]);
  assert.equal(fake.requests[0].headers.accept, 'application/vnd.amazon.eventstream');
  assert.ok(res.events.at(-1).done, 'ends with [DONE]');
  const chunks = res.events.filter((e) => !e.done).map((e) => e.json);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const text = chunks.map((c) => c.choices[0]?.delta?.content || '').join('');
  const expected = fixture('converse_streaming.json')
    .response.events.filter((e) => e.event_type === 'contentBlockDelta')
    .map((e) => e.payload.delta.text)
    .join('');
  assert.equal(text, expected);
  const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
  assert.deepEqual(
    finish.map((c) => c.choices[0].finish_reason),
    ['stop'],
  );
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.deepEqual(
    [last.usage.prompt_tokens, last.usage.completion_tokens, last.usage.total_tokens],
    [64, 40, 104],
  );
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, chunks[0].id);
  }
});

test('chat stream without include_usage has no usage chunk', async () => {
  fake.enqueue({ fixture: 'converse_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: `bedrock/${MODEL}`,
    messages,
    stream: true,
  });
  assert.ok(res.events.at(-1).done);
  assert.ok(res.events.filter((e) => !e.done).every((e) => e.json.choices.length === 1));
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
    },
  },
};
const claude = 'bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0';

test('tool call: toolConfig out, tool_calls back', async () => {
  fake.enqueue({ fixture: 'tool_call_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: claude,
    messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
    tools: [weatherTool],
    tool_choice: 'required',
  });
  assert.equal(res.status, 200, res.text);
  const seen = fake.requests[0];
  assert.equal(seen.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
  assertSigned(seen);
  assert.deepEqual(seen.body.toolConfig, {
    tools: [
      {
        toolSpec: {
          name: 'get_weather',
          description: 'Current weather',
          inputSchema: { json: weatherTool.function.parameters },
        },
      },
    ],
    toolChoice: { any: {} },
  });
  const choice = res.json.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls[0].id, 'tooluse_8IcDV3fsQsqfAKjk-wsTCw');
  assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(choice.message.tool_calls[0].function.arguments), {
    location: 'San Francisco, USA',
  });
});

test('tool result: tool messages become a user turn of toolResult blocks', async () => {
  fake.enqueue({ fixture: 'tool_call_with_result.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: claude,
    tools: [weatherTool],
    messages: [
      { role: 'user', content: 'Weather in San Francisco?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'tooluse_8IcDV3fsQsqfAKjk-wsTCw',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, USA"}' },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'tooluse_8IcDV3fsQsqfAKjk-wsTCw',
        content: '{"temperature":18,"conditions":"partly cloudy","humidity":65}',
      },
    ],
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(fake.requests[0].body.messages.slice(1), [
    {
      role: 'assistant',
      content: [
        {
          toolUse: {
            toolUseId: 'tooluse_8IcDV3fsQsqfAKjk-wsTCw',
            name: 'get_weather',
            input: { location: 'San Francisco, USA' },
          },
        },
      ],
    },
    {
      role: 'user',
      content: [
        {
          toolResult: {
            toolUseId: 'tooluse_8IcDV3fsQsqfAKjk-wsTCw',
            content: [{ text: '{"temperature":18,"conditions":"partly cloudy","humidity":65}' }],
          },
        },
      ],
    },
  ]);
  assert.match(res.json.choices[0].message.content, /San Francisco/);
  assert.equal(res.json.choices[0].finish_reason, 'stop');
});

test('tool call stream: id and name first, then argument deltas as they arrive', async () => {
  fake.enqueue({ fixture: 'tool_call_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: claude,
    messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
    tools: [weatherTool],
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.events.at(-1).done);
  const deltas = res.events
    .filter((e) => !e.done && e.json.choices[0]?.delta?.tool_calls)
    .map((e) => e.json.choices[0].delta.tool_calls[0]);
  assert.equal(deltas[0].id, 'tooluse_Vbt5VfgsRmizsIl7MPx2Qw');
  assert.equal(deltas[0].function.name, 'get_weather');
  assert.ok(deltas.length >= 6, `arguments arrive in pieces (${deltas.length} deltas)`);
  const args = deltas.map((d) => d.function.arguments || '').join('');
  assert.deepEqual(JSON.parse(args), { location: 'San Francisco, USA' });
  const finish = res.events.find((e) => !e.done && e.json.choices[0]?.finish_reason);
  assert.equal(finish.json.choices[0].finish_reason, 'tool_calls');
  assert.equal(res.events.at(-2).json.usage.prompt_tokens, 596);
});

test('vision: a data URL image goes out as bytes; a remote URL is a 400', async () => {
  fake.enqueue({ fixture: 'vision_success.json' });
  const image = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const content = [
    { type: 'text', text: 'Describe this image.' },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${image}` } },
  ];
  const res = await gw.post('/api/v1/chat/completions', {
    model: `bedrock/${MODEL}`,
    messages: [{ role: 'user', content }],
  });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(fake.requests[0].body.messages[0].content[1], {
    image: { format: 'png', source: { bytes: image } },
  });
  assert.match(res.json.choices[0].message.content, /Main Subject/);

  const remote = await gw.post('/api/v1/chat/completions', {
    model: `bedrock/${MODEL}`,
    messages: [
      {
        role: 'user',
        content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
      },
    ],
  });
  assertError(remote, { status: 400, code: 'validation_error' });
  assert.equal(fake.requests.length, 1, 'nothing was sent upstream');
});

for (const [file, status, code] of [
  ['bad_request.json', 400, 'ValidationException'],
  ['unauthorized.json', 403, 'UnrecognizedClientException'],
]) {
  test(`upstream ${status} (${file}): status kept, code is the AWS error type`, async () => {
    fake.enqueue({ fixture: file });
    const res = await gw.post('/api/v1/chat/completions', {
      model: `bedrock/${MODEL}`,
      messages,
    });
    const err = assertError(res, { status, code });
    assert.equal(err.message, fixture(file).response.body.message);
  });
}

async function brokenStream(script) {
  fake.enqueue({ fixture: 'converse_streaming.json', ...script });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: `bedrock/${MODEL}`,
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(!res.events.some((e) => e.done), 'no [DONE] after a broken stream');
  const last = res.events.at(-1);
  assert.ok(last.json && last.json.error, `in-band error last: ${last.data}`);
  return { res, error: last.json.error };
}

function fixtureFrames(count) {
  return recordedFrames('converse_streaming.json', count);
}

test('stream: an exception message becomes an in-band error', async () => {
  const frames = [
    ...fixtureFrames(3),
    exceptionFrame('throttlingException', 'Too many requests, please wait.'),
  ];
  const { res, error } = await brokenStream({ frames });
  assert.equal(error.code, 'throttlingException');
  assert.equal(error.message, 'Too many requests, please wait.');
  assert.ok(res.events.some((e) => e.json?.choices?.[0]?.delta?.content === '1  \n'));
});

test('stream: a corrupted frame (bad CRC) is an in-band error', async () => {
  const frames = fixtureFrames(13);
  const bad = Buffer.from(frames[4]);
  bad[bad.length - 10] ^= 0x20; // inside the payload: the message CRC no longer matches
  frames[4] = bad;
  const { error } = await brokenStream({ frames });
  assert.match(error.message, /checksum/);
});

test('stream: a body that ends before messageStop is an in-band error', async () => {
  const { error } = await brokenStream({ frames: fixtureFrames(6) });
  assert.match(error.message, /ended before completion/);
});

test('stream: a connection closed mid-frame is an in-band error', async () => {
  const frames = fixtureFrames(5);
  frames.push(fixtureFrames(6)[5].subarray(0, 20));
  const { error } = await brokenStream({ frames, fault: 'close' });
  assert.equal(error.code, 'provider_error');
});

test('env credentials with a session token: token sent and signed, region from config', async () => {
  fake.enqueue({ fixture: 'converse_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `bedrock_env/${MODEL}`,
    messages,
  });
  assert.equal(res.status, 200, res.text);
  const seen = fake.requests[0];
  assertSigned(seen, { region: 'eu-west-1', accessKey: ENV_ACCESS_KEY });
  assert.equal(seen.headers['x-amz-security-token'], ENV_TOKEN);
  assert.ok(seen.sig.signedHeaders.includes('x-amz-security-token'));
});

test("the fake's signature check rejects a request signed with the wrong secret", async () => {
  fake.enqueue({ fixture: 'converse_success.json' });
  const res = await gw.post('/api/v1/chat/completions', {
    model: `bedrock_wrong/${MODEL}`,
    messages,
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests[0].sig.ok, false);
  assert.match(fake.requests[0].sig.why, /signature mismatch/);
});

test('responses: through the bridge, non-streaming and streaming', async () => {
  fake.enqueue({ fixture: 'responses_success.json' });
  const res = await gw.post('/api/v1/responses', {
    model: `bedrock/${MODEL}`,
    instructions: 'Answer with numbers only.',
    input: 'List the first ten primes.',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests[0].url, '/model/us.amazon.nova-lite-v1%3A0/converse');
  assert.deepEqual(fake.requests[0].body.system, [{ text: 'Answer with numbers only.' }]);
  assert.equal(res.json.object, 'response');
  assert.equal(res.json.status, 'completed');
  const message = res.json.output.find((o) => o.type === 'message');
  assert.match(message.content[0].text, /^2 {2}\n3/);
  assert.equal(res.json.usage.input_tokens, 63);
  assert.equal(res.json.usage.output_tokens, 21);

  fake.enqueue({ fixture: 'responses_streaming.json' });
  const stream = await postSse(`${gw.baseURL}/responses`, {
    model: `bedrock/${MODEL}`,
    input: 'Count to twenty.',
    stream: true,
  });
  assert.equal(stream.status, 200, stream.text);
  assert.equal(fake.requests[1].url, '/model/us.amazon.nova-lite-v1%3A0/converse-stream');
  const types = stream.events.map((e) => e.event);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  const completed = stream.events.at(-1).json.response;
  assert.equal(completed.usage.input_tokens, 64);
  assert.equal(completed.usage.output_tokens, 40);
  const text = stream.events
    .filter((e) => e.event === 'response.output_text.delta')
    .map((e) => e.json.delta)
    .join('');
  assert.match(text, /^1 {2}\n2 {2}\n3/);
});

test('embeddings are not supported', async () => {
  const res = await gw.post('/api/v1/embeddings', { model: `bedrock/${MODEL}`, input: 'hi' });
  assertError(res, { status: 501, code: 'not_supported' });
  assert.equal(fake.requests.length, 0);
});
