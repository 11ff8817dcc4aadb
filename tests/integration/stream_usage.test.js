'use strict';

// Stream usage as OpenAI sends it when asked: `usage: null` in every chunk, the counts in a
// last chunk without choices. Every chunk reaches the client, the usage-only chunk only when
// the client asked for it, and the request is recorded with the last chunk's counts.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { openAiProvider, postSse, startGateway, waitFor } = require('../lib/gateway');

const BOOTSTRAP = 'bootstrap-stream-usage-secret';
const admin = { 'X-API-Key': BOOTSTRAP };
const messages = [{ role: 'user', content: 'List the first ten prime numbers.' }];
const FIXTURE = 'openai/chat_completion_streaming.json';
const usage = { prompt_tokens: 31, completion_tokens: 57, total_tokens: 88 };

let fake;
let gw;
let dir;

before(async () => {
  fake = await startFakeUpstream();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-stream-usage-'));
  gw = await startGateway({
    config: {
      // One I/O thread, as deployments on one core run: the event loop's sockets go without
      // locks there, while the database thread still hands its results back to it.
      server: { threads: 1 },
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
      providers: { default_provider: 'openai', openai: openAiProvider(fake.baseURL) },
    },
  });
  fake.setDefault({ fixture: FIXTURE, usage, nullUsage: true });
});

after(async () => {
  await gw?.dispose();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function newKey(name) {
  const created = await gw.post('/admin/v1/api-keys', { name }, { headers: admin });
  assert.equal(created.status, 201, created.text);
  return created.json;
}

async function recorded(keyId) {
  return waitFor(
    async () => {
      const r = await gw.get(`/admin/v1/usage/by-model?api_key_id=${keyId}`, { headers: admin });
      return r.status === 200 && r.json.data.length > 0 ? r.json.data : null;
    },
    { message: 'the usage record' },
  );
}

function dataChunks(res) {
  return res.events.filter((e) => !e.done).map((e) => e.json);
}

test('usage: null in every chunk; the client that did not ask gets no usage-only chunk', async () => {
  const key = await newKey('stream-usage-unasked');
  const res = await postSse(
    `${gw.baseURL}/chat/completions`,
    { model: 'gpt-4o-mini', messages, stream: true },
    { headers: { Authorization: `Bearer ${key.key}` } },
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.error, null, `stream broke: ${res.error}`);
  assert.equal(res.events.at(-1).data, '[DONE]');
  const chunks = dataChunks(res);
  const sent = fixture(FIXTURE).response.chunks;
  assert.equal(chunks.length, sent.length, 'every chunk with choices, nothing more');
  assert.ok(chunks.every((c) => c.usage === null && c.choices.length > 0));

  const rows = await recorded(key.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].requests, 1);
  assert.equal(rows[0].input_tokens, usage.prompt_tokens);
  assert.equal(rows[0].output_tokens, usage.completion_tokens);
});

test('usage: null in every chunk; the client that asked gets the usage chunk last', async () => {
  const key = await newKey('stream-usage-asked');
  const res = await postSse(
    `${gw.baseURL}/chat/completions`,
    { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } },
    { headers: { Authorization: `Bearer ${key.key}` } },
  );
  assert.equal(res.status, 200, res.text);
  const chunks = dataChunks(res);
  assert.equal(chunks.length, fixture(FIXTURE).response.chunks.length + 1);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage.prompt_tokens, usage.prompt_tokens);
  assert.equal(last.usage.completion_tokens, usage.completion_tokens);

  const rows = await recorded(key.id);
  assert.equal(rows[0].input_tokens, usage.prompt_tokens);
  assert.equal(rows[0].output_tokens, usage.completion_tokens);
});
