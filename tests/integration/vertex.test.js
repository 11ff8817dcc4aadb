'use strict';

// The vertex provider against a fake Gemini API (tests/fakes/gemini.js): the gateway
// translates Chat Completions (and Responses, through the chat bridge) to generateContent /
// streamGenerateContent?alt=sse, and the recorded Gemini answers back into OpenAI shapes.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { replay, startFakeGemini } = require('../fakes/gemini');
const { assertError, postSse, startGateway, waitFor } = require('../lib/gateway');

const API_KEY = 'test-gemini-key';

let fake;
let gw;
let keyDir;
let publicKey;

before(async () => {
  fake = await startFakeGemini();
  // A service account key made for this run, its token_uri on the fake.
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKey = pair.publicKey;
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vertex-sa-'));
  const keyPath = path.join(keyDir, 'key.json');
  fs.writeFileSync(
    keyPath,
    JSON.stringify({
      type: 'service_account',
      client_email: 'gateway@test-project.iam.gserviceaccount.com',
      private_key: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      token_uri: `${fake.origin}/token`,
    }),
  );
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'vertex',
        vertex: {
          type: 'vertex',
          base_url: fake.baseURL,
          api_key: API_KEY,
          retry: { max_retries: 0 },
          circuit_breaker: { enabled: false },
        },
        vertexsa: {
          type: 'vertex',
          base_url: `${fake.origin}/v1/projects/test-project/locations/us-central1/publishers/google/models`,
          project: 'test-project',
          region: 'us-central1',
          credentials: { type: 'service_account', key_path: keyPath },
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
  if (keyDir) {
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
});

beforeEach(() => fake.reset());

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

const chatBody = {
  model: 'vertex/gemini-2.5-flash',
  messages: [
    { role: 'system', content: 'Answer with numbers only.' },
    { role: 'user', content: 'List the first ten primes.' },
  ],
  temperature: 0.2,
  max_tokens: 200,
};

function assertUpstreamRequest(req, suffix) {
  assert.equal(req.method, 'POST');
  assert.equal(req.url, `/v1beta/models/gemini-2.5-flash${suffix}`);
  assert.equal(req.headers['x-goog-api-key'], API_KEY);
  assert.equal(req.headers.authorization, undefined);
  assert.deepEqual(req.body, {
    systemInstruction: { parts: [{ text: 'Answer with numbers only.' }] },
    contents: [{ role: 'user', parts: [{ text: 'List the first ten primes.' }] }],
    generationConfig: { temperature: 0.2, maxOutputTokens: 200 },
  });
}

test('a chat completion is translated both ways', async () => {
  fake.enqueue(replay('generate_content_success.json'));
  const res = await gw.post('/api/v1/chat/completions', chatBody);
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests.length, 1);
  assertUpstreamRequest(fake.requests[0], ':generateContent');

  const body = res.json;
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.id, 'chatcmpl-rbVHaauXOd_sidsPsMPxuAc');
  assert.equal(body.model, 'gemini-2.5-flash');
  assert.equal(typeof body.created, 'number');
  assert.equal(body.choices.length, 1);
  assert.equal(body.choices[0].index, 0);
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.equal(body.choices[0].message.role, 'assistant');
  assert.equal(body.choices[0].message.content, '2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n');
  assert.equal(body.usage.prompt_tokens, 18);
  assert.equal(body.usage.completion_tokens, 26);
  assert.equal(body.usage.total_tokens, 44);
  assert.equal(res.headers.get('x-provider'), 'vertex');
  assert.equal(res.headers.get('x-finish-reason'), 'stop');
  assert.equal(res.headers.get('x-input-tokens'), '18');
  assert.equal(res.headers.get('x-output-tokens'), '26');
});

test('a chat stream is translated chunk by chunk', async () => {
  fake.enqueue(replay('generate_content_streaming.json'));
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    ...chatBody,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.error, null);
  assertUpstreamRequest(fake.requests[0], ':streamGenerateContent?alt=sse');

  const events = res.events;
  assert.ok(events.at(-1).done, 'ends with [DONE]');
  const chunks = events.slice(0, -1).map((e) => e.json);
  let text = '';
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, 'chatcmpl-rrVHaczxIN7nidsPvpHV0QU');
    for (const choice of c.choices) {
      text += choice.delta.content || '';
    }
  }
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.equal(text, Array.from({ length: 20 }, (_, i) => `${i + 1}\n`).join(''));
  const finish = chunks.filter((c) => c.choices.length && c.choices[0].finish_reason);
  assert.equal(finish.length, 1);
  assert.equal(finish[0].choices[0].finish_reason, 'stop');
  const usage = chunks.at(-1);
  assert.deepEqual(usage.choices, []);
  assert.equal(usage.usage.prompt_tokens, 19);
  assert.equal(usage.usage.completion_tokens, 51);
  assert.equal(usage.usage.total_tokens, 70);
});

test('without include_usage the usage chunk is not forwarded', async () => {
  fake.enqueue(replay('generate_content_streaming.json'));
  const res = await postSse(`${gw.baseURL}/chat/completions`, { ...chatBody, stream: true });
  assert.equal(res.status, 200);
  const chunks = res.events.filter((e) => !e.done).map((e) => e.json);
  assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  assert.ok(res.events.at(-1).done);
});

test('tools and tool calls, streaming and not', async () => {
  const tools = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather of a place.',
        parameters: {
          type: 'object',
          additionalProperties: false,
          properties: { location: { type: 'string' } },
          required: ['location'],
        },
        strict: true,
      },
    },
  ];
  const body = {
    model: 'vertex/gemini-2.5-flash',
    messages: [{ role: 'user', content: 'Weather in San Francisco?' }],
    tools,
    tool_choice: 'required',
  };
  fake.enqueue(replay('tool_call_success.json'));
  const res = await gw.post('/api/v1/chat/completions', body);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(fake.requests[0].body.tools, [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Weather of a place.',
          parameters: {
            type: 'object',
            properties: { location: { type: 'string' } },
            required: ['location'],
          },
        },
      ],
    },
  ]);
  assert.deepEqual(fake.requests[0].body.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
  const choice = res.json.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.match(call.id, /^call_/);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco, USA' });

  // The result goes back as a functionResponse named after the call.
  fake.enqueue(replay('tool_call_with_result.json'));
  const second = await gw.post('/api/v1/chat/completions', {
    ...body,
    tool_choice: 'auto',
    messages: [
      ...body.messages,
      choice.message,
      { role: 'tool', tool_call_id: call.id, content: '{"weather":"sunny","temp_f":72}' },
    ],
  });
  assert.equal(second.status, 200, second.text);
  assert.deepEqual(fake.requests[1].body.contents.slice(1), [
    {
      role: 'model',
      parts: [{ functionCall: { name: 'get_weather', args: { location: 'San Francisco, USA' } } }],
    },
    {
      role: 'user',
      parts: [
        {
          functionResponse: {
            name: 'get_weather',
            response: { content: { weather: 'sunny', temp_f: 72 } },
          },
        },
      ],
    },
  ]);
  assert.match(second.json.choices[0].message.content, /sunny/);

  fake.enqueue(replay('tool_call_streaming.json'));
  const streamed = await postSse(`${gw.baseURL}/chat/completions`, { ...body, stream: true });
  assert.equal(streamed.status, 200);
  const chunks = streamed.events.filter((e) => !e.done).map((e) => e.json);
  const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls || []));
  assert.equal(calls.length, 1);
  assert.equal(calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(calls[0].function.arguments), { location: 'San Francisco, USA' });
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  assert.ok(streamed.events.at(-1).done);
});

test('an upstream error keeps its status and Google status code', async () => {
  fake.enqueue(replay('bad_request.json'));
  const res = await gw.post('/api/v1/chat/completions', chatBody);
  const err = assertError(res, { status: 404, code: 'NOT_FOUND' });
  assert.match(err.message, /invalid-model/);
});

test('the model is one percent-encoded path segment', async () => {
  fake.enqueue(replay('generate_content_success.json'));
  const res = await gw.post('/api/v1/chat/completions', {
    ...chatBody,
    model: 'vertex/tunedModels/my-model@1',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests[0].url, '/v1beta/models/tunedModels%2Fmy-model%401:generateContent');
});

test('a stream that ends before a finish reason is an in-band error', async () => {
  const { chunks } = replay('generate_content_streaming.json');
  fake.enqueue({ chunks: chunks.slice(0, 2) });
  const res = await postSse(`${gw.baseURL}/chat/completions`, { ...chatBody, stream: true });
  assert.equal(res.status, 200);
  assert.ok(!res.events.some((e) => e.done), 'no [DONE] after a truncated stream');
  const last = res.events.at(-1).json;
  assert.equal(last.error.code, 'provider_error');
});

test('the Responses API goes through the chat bridge', async () => {
  fake.enqueue(replay('responses_success.json'));
  const res = await gw.post('/api/v1/responses', {
    model: 'vertex/gemini-2.5-flash',
    instructions: 'Answer with numbers only.',
    input: 'List the first ten primes.',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests[0].url, '/v1beta/models/gemini-2.5-flash:generateContent');
  assert.deepEqual(fake.requests[0].body.systemInstruction, {
    parts: [{ text: 'Answer with numbers only.' }],
  });
  assert.equal(res.json.object, 'response');
  assert.equal(res.json.status, 'completed');
  const message = res.json.output.find((item) => item.type === 'message');
  assert.equal(message.content[0].text, '2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n');
  assert.equal(res.json.usage.input_tokens, 18);
  assert.equal(res.json.usage.output_tokens, 26);

  fake.enqueue(replay('generate_content_streaming.json'));
  const streamed = await postSse(`${gw.baseURL}/responses`, {
    model: 'vertex/gemini-2.5-flash',
    input: 'Count to twenty.',
    stream: true,
  });
  assert.equal(streamed.status, 200);
  assert.equal(fake.requests[1].url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  const types = streamed.events.map((e) => e.event);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  const completed = streamed.events.at(-1).json.response;
  assert.equal(completed.usage.input_tokens, 19);
});

test('embeddings are not supported', async () => {
  const res = await gw.post('/api/v1/embeddings', {
    model: 'vertex/text-embedding-004',
    input: 'hello',
  });
  assertError(res, { status: 501, code: 'not_supported' });
  assert.equal(fake.requests.length, 0);
});

test('a service account signs a JWT, exchanges it once and sends the bearer token', async () => {
  fake.enqueue(replay('generate_content_success.json'));
  fake.enqueue(replay('generate_content_success.json'));
  for (let i = 0; i < 2; i += 1) {
    const res = await gw.post('/api/v1/chat/completions', {
      ...chatBody,
      model: 'vertexsa/gemini-2.5-flash',
    });
    assert.equal(res.status, 200, res.text);
  }
  assert.equal(fake.tokenRequests.length, 1, 'the token is cached');
  const { form, headers } = fake.tokenRequests[0];
  assert.match(headers['content-type'], /application\/x-www-form-urlencoded/);
  assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  const [header, claims, signature] = form.get('assertion').split('.');
  const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  assert.deepEqual(decode(header), { alg: 'RS256', typ: 'JWT' });
  const c = decode(claims);
  assert.equal(c.iss, 'gateway@test-project.iam.gserviceaccount.com');
  assert.equal(c.scope, 'https://www.googleapis.com/auth/cloud-platform');
  assert.equal(c.aud, `${fake.origin}/token`);
  assert.equal(c.exp - c.iat, 3600);
  assert.ok(Math.abs(c.iat - Date.now() / 1000) < 60);
  const ok = crypto.verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  assert.ok(ok, 'the JWT signature verifies with the public key');

  for (const req of fake.requests) {
    assert.equal(
      req.url,
      '/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    assert.equal(req.headers.authorization, 'Bearer ya29.test-token');
    assert.equal(req.headers['x-goog-api-key'], undefined);
  }
});

test('/models lists the models the Gemini API lists, fetched with the API key', async () => {
  const res = await waitFor(
    async () => {
      const r = await gw.get('/api/v1/models');
      return r.json.data.some((m) => m.id === 'vertex/gemini-2.5-pro') ? r : null;
    },
    { message: 'the listed Gemini models' },
  );
  const ids = res.json.data.map((m) => m.id);
  assert.ok(ids.includes('vertex/gemini-2.5-flash'), ids.join(', '));
  assert.ok(!ids.some((id) => id.startsWith('vertex/models/')), 'the models/ prefix is removed');
  assert.ok(!ids.some((id) => id.startsWith('vertexsa/gemini-2.5-pro')), 'Vertex AI is not listed');
  assert.equal(fake.listRequests[0].headers['x-goog-api-key'], API_KEY);
  assert.match(fake.listRequests[0].url, /^\/v1beta\/models\?pageSize=1000$/);
});
