'use strict';

// Azure OpenAI: the same OpenAI bodies, addressed to deployments with an api-version, and the
// key in an `api-key` header.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const { postSse, startGateway } = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'azure',
        azure: {
          type: 'azure_open_ai',
          base_url: `${fake.url}/openai`,
          api_key: 'azure-secret',
          api_version: '2024-10-21',
          deployments: { 'gpt-4o': 'prod gpt/4o' },
          retry: { max_retries: 0 },
          circuit_breaker: { enabled: false },
        },
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

const messages = [{ role: 'user', content: 'Hello' }];

test('chat goes to the mapped deployment, encoded as one path segment, with api-key', async () => {
  fake.setDefault({ fixture: 'openai/chat_completion_success.json' });
  const res = await gw.post('/api/v1/chat/completions', { model: 'azure/gpt-4o', messages });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-provider'), 'azure');
  const seen = fake.requests[0];
  assert.equal(seen.path, '/openai/deployments/prod%20gpt%2F4o/chat/completions?api-version=2024-10-21');
  assert.equal(seen.headers['api-key'], 'azure-secret');
  assert.equal(seen.headers.authorization, undefined);
});

test('an unmapped model is its own deployment; streams pass through', async () => {
  fake.setDefault({ fixture: 'openai/chat_completion_streaming.json' });
  const res = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'my-deployment',
    messages,
    stream: true,
  });
  assert.equal(res.status, 200, res.text);
  assert.ok(res.events.at(-1).done, 'ends with [DONE]');
  assert.equal(
    fake.requests[0].path,
    '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21',
  );
});

test('responses use the v1 API with the model in the body', async () => {
  fake.setDefault({ fixture: 'openai/responses_success.json' });
  const res = await gw.post('/api/v1/responses', { model: 'azure/gpt-4o', input: 'Hello' });
  assert.equal(res.status, 200, res.text);
  assert.equal(fake.requests[0].path, '/openai/v1/responses');
  assert.equal(fake.requests[0].body.model, 'gpt-4o');
});
