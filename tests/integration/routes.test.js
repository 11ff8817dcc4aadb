'use strict';

// Endpoints, operations and request validation: the `/v1` alias, the model list, health,
// unknown paths and methods, body limit, malformed and invalid bodies, model strings.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const {
  assertError,
  openAiProvider,
  request,
  startGateway,
  testProvider,
} = require('../lib/gateway');

const TEXT = 'Routes answer from the test provider.';

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      server: { body_limit_bytes: 2048 },
      providers: {
        default_provider: 'test',
        test: testProvider({ response_text: TEXT }),
        openai: openAiProvider(fake.baseURL, {
          models: {
            'gpt-4o-mini': { input_per_1m_tokens: 15_000_000, output_per_1m_tokens: 60_000_000 },
          },
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

const messages = [{ role: 'user', content: 'Say hello.' }];

test('POST /api/v1/chat/completions and its /v1 alias answer alike', async () => {
  for (const path of ['/api/v1/chat/completions', '/v1/chat/completions']) {
    const res = await gw.post(path, { model: 'test/any-model', messages });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.json.object, 'chat.completion');
    assert.equal(res.json.choices[0].message.content, TEXT);
    assert.equal(res.headers.get('x-provider'), 'test');
  }
});

test('POST /v1/responses (alias) answers', async () => {
  const res = await gw.post('/v1/responses', { model: 'test/any-model', input: 'Say hello.' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'response');
});

test('GET /api/v1/models and /v1/models list models as provider/model', async () => {
  for (const path of ['/api/v1/models', '/v1/models']) {
    const res = await gw.get(path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.json.object, 'list');
    assert.ok(Array.isArray(res.json.data) && res.json.data.length > 0, res.text);
    for (const model of res.json.data) {
      assert.equal(typeof model.id, 'string');
      assert.match(model.id, /^[^/]+\/.+/, `not provider/model: ${model.id}`);
    }
    const ids = res.json.data.map((m) => m.id);
    assert.ok(
      ids.includes('openai/gpt-4o-mini'),
      `openai's configured model, prefixed: ${ids.join(', ')}`,
    );
    assert.ok(!ids.includes('gpt-4o-mini'), 'no bare ids');
  }
});

test('GET /health, /health/live and /health/ready answer 200', async () => {
  const health = await gw.get('/health');
  assert.equal(health.status, 200, health.text);
  assert.ok(health.json && typeof health.json.status === 'string', health.text);
  for (const path of ['/health/live', '/health/ready']) {
    const res = await gw.get(path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
  }
});

test('an unknown path is a JSON 404 not_found', async () => {
  for (const path of ['/api/v1/nope', '/nope', '/api/v2/chat/completions']) {
    const res = await gw.get(path);
    assertError(res, { status: 404, code: 'not_found' });
  }
  const post = await gw.post('/api/v1/chat/completion', { model: 'test/x', messages });
  assertError(post, { status: 404, code: 'not_found' });
});

test('a known path with the wrong method is a JSON 405 method_not_allowed', async () => {
  const get = await gw.get('/api/v1/chat/completions');
  assertError(get, { status: 405, code: 'method_not_allowed' });
  const del = await request(`${gw.url}/api/v1/models`, { method: 'DELETE' });
  assertError(del, { status: 405, code: 'method_not_allowed' });
  const put = await request(`${gw.url}/v1/responses`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assertError(put, { status: 405, code: 'method_not_allowed' });
});

test('a body over server.body_limit_bytes is a JSON 413 payload_too_large', async () => {
  const res = await gw.post('/api/v1/chat/completions', {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(4096) }],
  });
  assertError(res, { status: 413, code: 'payload_too_large', type: 'invalid_request_error' });
  assert.equal(fake.requests.length, 0);
});

test('a chunked body over server.body_limit_bytes is a JSON 413 payload_too_large', async () => {
  const res = await new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gw.port,
        path: '/api/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json' }, // no length: chunked
      },
      (answer) => {
        let text = '';
        answer.setEncoding('utf8');
        answer.on('data', (part) => {
          text += part;
        });
        answer.on('end', () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: answer.statusCode, headers: new Headers(answer.headers), text, json });
        });
      },
    );
    req.on('error', reject);
    req.write('{"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "');
    req.write('y'.repeat(3000));
    req.end('"}]}');
  });
  assertError(res, { status: 413, code: 'payload_too_large' });
  assert.equal(fake.requests.length, 0);
});

test('a body just under the limit is accepted', async () => {
  const res = await gw.post('/api/v1/chat/completions', {
    model: 'test/any-model',
    messages: [{ role: 'user', content: 'x'.repeat(1500) }],
  });
  assert.equal(res.status, 200, res.text);
});

test('malformed JSON is a JSON 400 invalid_json', async () => {
  for (const body of ['{"model": "test/x", "messages": [', 'not json at all', '']) {
    const res = await gw.post('/api/v1/chat/completions', body);
    assertError(res, { status: 400, code: 'invalid_json', type: 'invalid_request_error' });
  }
});

test('missing or wrong fields are a 400 validation_error naming the field', async () => {
  const missing = await gw.post('/api/v1/chat/completions', { model: 'test/x' });
  assertError(missing, { status: 400, code: 'validation_error', param: 'messages' });

  const wrongType = await gw.post('/api/v1/chat/completions', { model: 'test/x', messages: 'hi' });
  assertError(wrongType, { status: 400, code: 'validation_error', param: 'messages' });

  const notObject = await gw.post('/api/v1/chat/completions', '[1, 2, 3]');
  assert.equal(notObject.status, 400, notObject.text);
  assertError(notObject, { status: 400 });

  const noInput = await gw.post('/api/v1/responses', { model: 'test/x' });
  assertError(noInput, { status: 400, code: 'validation_error', param: 'input' });
  assert.equal(fake.requests.length, 0);
});

test('model strings with an empty, "." or ".." segment are a routing_error', async () => {
  for (const model of ['openai/../gpt-4o-mini', 'openai/./gpt-4o-mini', 'openai//gpt-4o-mini']) {
    const res = await gw.post('/api/v1/chat/completions', { model, messages });
    assertError(res, { status: 400, code: 'routing_error' });
  }
  assert.equal(fake.requests.length, 0);
});

test('model strings with forbidden characters or over 512 characters are refused', async () => {
  for (const model of [
    'openai/gpt 4o',
    'openai/gpt?x=1',
    'openai/gpt#4',
    `openai/${'m'.repeat(520)}`,
  ]) {
    const res = await gw.post('/api/v1/chat/completions', { model, messages });
    const err = assertError(res, { status: 400 });
    assert.ok(['routing_error', 'validation_error'].includes(err.code), `${model}: ${res.text}`);
  }
  assert.equal(fake.requests.length, 0);
});

test('keep-alive: the next request sent the moment a large answer arrives is served', async () => {
  // The server watches the client socket while it answers; a request that arrives just as an
  // answer completes must be kept and served, not lost (the client would wait forever).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path) =>
    new Promise((resolve, reject) => {
      const req = http.get(`${gw.url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${path} within 5 s`)));
      req.on('error', reject);
    });
  for (let i = 0; i < 150; i++) {
    assert.equal(await get('/api/v1/models'), 200);
    assert.equal(await get('/health/live'), 200);
  }
  agent.destroy();
});
