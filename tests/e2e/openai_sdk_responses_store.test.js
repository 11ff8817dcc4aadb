'use strict';

// The official `openai` client and stored Responses: a conversation started on an OpenAI-type
// provider continues with `previous_response_id` on an Anthropic-type provider (through the
// Responses bridge), then is retrieved, listed and deleted with the SDK's own calls.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const OpenAI = require('openai');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const { openAiProvider, startGateway } = require('../lib/gateway');

const OPENAI_MODEL = 'gpt-4o-mini';
const CLAUDE_MODEL = 'claude-sonnet-4-20250514';
const FIRST_ID = `resp_sdk_store_${process.pid}`;
const FIRST_TEXT = 'Noted: the code word is heron.';

let fake;
let gw;
let dir;
let client;

before(async () => {
  // One fake serves both: the OpenAI-type provider posts to /v1/responses, the Anthropic-type
  // one to /v1/messages; the fake picks the answer by the body's model.
  fake = await startFakeUpstream();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-sdk-store-'));
  gw = await startGateway({
    config: {
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        anthropic: {
          type: 'anthropic',
          base_url: fake.url,
          api_key: 'sk-ant-test',
          retry: { max_retries: 0 },
          circuit_breaker: { enabled: false },
        },
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
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

function openAiAnswer() {
  return {
    id: FIRST_ID,
    object: 'response',
    created_at: 1741476542,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: 'Answer in one sentence.',
    model: 'gpt-4o-mini-2024-07-18',
    output: [
      {
        type: 'message',
        id: 'msg_sdk_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: FIRST_TEXT, annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: false,
    tool_choice: 'auto',
    tools: [],
    usage: {
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 29,
    },
  };
}

test('a conversation continues on another provider with previous_response_id', async () => {
  fake.route(OPENAI_MODEL, { body: openAiAnswer() });
  fake.route(CLAUDE_MODEL, { fixture: 'anthropic/messages_success.json' });

  const first = await client.responses.create({
    model: `openai/${OPENAI_MODEL}`,
    instructions: 'Answer in one sentence.',
    input: 'Remember the code word heron.',
  });
  assert.equal(first.id, FIRST_ID);
  assert.equal(first.output_text, FIRST_TEXT);
  assert.equal(fake.requestsFor(OPENAI_MODEL)[0].body.store, false);

  const second = await client.responses.create({
    model: `anthropic/${CLAUDE_MODEL}`,
    previous_response_id: first.id,
    input: 'What was the code word?',
  });
  const expectedText = fixture('anthropic/messages_success.json').response.body.content[0].text;
  assert.equal(second.output_text, expectedText);
  assert.equal(second.previous_response_id, first.id);

  // The Anthropic upstream received the earlier turn, and not the earlier instructions.
  const seen = fake.requestsFor(CLAUDE_MODEL);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].path, '/v1/messages');
  assert.deepEqual(seen[0].body.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Remember the code word heron.' }] },
    { role: 'assistant', content: [{ type: 'text', text: FIRST_TEXT }] },
    { role: 'user', content: [{ type: 'text', text: 'What was the code word?' }] },
  ]);
  assert.ok(!('system' in seen[0].body), `instructions carried over: ${seen[0].rawBody}`);

  // Retrieve, list the input items, delete — with the SDK's own methods.
  const retrieved = await client.responses.retrieve(second.id);
  assert.equal(retrieved.id, second.id);
  assert.equal(retrieved.output_text, expectedText);
  assert.equal(retrieved.previous_response_id, first.id);

  const items = [];
  for await (const item of client.responses.inputItems.list(second.id, { order: 'asc' })) {
    items.push(item);
  }
  assert.deepEqual(
    items.map((i) => i.role),
    ['user', 'assistant', 'user'],
  );

  await client.responses.delete(first.id);
  const gone = await client.responses.retrieve(first.id).catch((e) => e);
  assert.ok(gone instanceof OpenAI.NotFoundError, String(gone));

  const orphan = await client.responses
    .create({ model: `anthropic/${CLAUDE_MODEL}`, previous_response_id: first.id, input: 'Hi' })
    .catch((e) => e);
  assert.ok(orphan instanceof OpenAI.BadRequestError, String(orphan));
  assert.equal(orphan.code, 'previous_response_not_found');
  assert.equal(orphan.param, 'previous_response_id');

  // The second response outlives the first: it carries its own context.
  assert.equal((await client.responses.retrieve(second.id)).id, second.id);
});

test('a streamed answer is stored and retrievable with the SDK', async () => {
  fake.route(OPENAI_MODEL, { fixture: 'openai/responses_streaming.json' });
  const stream = await client.responses.create({
    model: `openai/${OPENAI_MODEL}`,
    input: 'List the first ten prime numbers, one per line.',
    stream: true,
  });
  let completed = null;
  for await (const event of stream) {
    if (event.type === 'response.completed') {
      completed = event.response;
    }
  }
  assert.ok(completed, 'stream completed');
  const retrieved = await client.responses.retrieve(completed.id);
  const streamedText = completed.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content)
    .map((part) => part.text)
    .join('');
  assert.ok(streamedText.length > 0);
  assert.equal(retrieved.output_text, streamedText);
  assert.equal(retrieved.status, 'completed');
  assert.equal(retrieved.store, true);
});
