'use strict';

// Stored Responses: `store`, `previous_response_id`, and GET/DELETE /api/v1/responses/{id}
// (+ /input_items), with a SQLite database, API keys, and a fake OpenAI upstream whose
// received requests show exactly what the gateway sent.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startFakeUpstream, fixture } = require('../fakes/fake_upstream');
const {
  assertError,
  openAiProvider,
  postSse,
  request,
  startGateway,
  testProvider,
  waitFor,
} = require('../lib/gateway');

const BOOTSTRAP = 'bootstrap-responses-store-secret';
const BODY_LIMIT = 256 * 1024;
const MODEL = 'gpt-4o-mini';

let fake;
let gw;
let dir;
let keyA;
let keyB;
let keyModelsOnly;

async function createKey(fields = {}) {
  const res = await gw.post(
    '/admin/v1/api-keys',
    { name: 'responses-store', ...fields },
    { headers: { 'X-API-Key': BOOTSTRAP } },
  );
  assert.equal(res.status, 201, res.text);
  return res.json.key;
}

before(async () => {
  fake = await startFakeUpstream();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-responses-store-'));
  gw = await startGateway({
    config: {
      server: { body_limit_bytes: BODY_LIMIT },
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        test: testProvider({ response_text: 'From the test provider.' }),
      },
    },
  });
  keyA = await createKey();
  keyB = await createKey();
  keyModelsOnly = await createKey({ scopes: ['models'] });
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

beforeEach(() => {
  fake.reset();
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

// ---------------------------------------------------------------------------------------
// helpers

const auth = (key) => ({ headers: { Authorization: `Bearer ${key}` } });

let counter = 0;
/** A response id no other test uses. */
function newId() {
  counter += 1;
  return `resp_store_${process.pid}_${counter}`;
}

function messageItem(id, text) {
  return {
    type: 'message',
    id: `msg_${id}`,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

/** An OpenAI response object as the upstream sends it (with `store: false`, as asked). */
function upstreamResponse(id, { output, status = 'completed', text = 'Answer.' } = {}) {
  return {
    id,
    object: 'response',
    created_at: 1741476542,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model: 'gpt-4o-mini-2024-07-18',
    output: output || [messageItem(id, text)],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    },
    user: null,
    metadata: {},
  };
}

function create(body, key = keyA) {
  return gw.post('/api/v1/responses', { model: `openai/${MODEL}`, ...body }, auth(key));
}

function getStored(id, key = keyA, suffix = '') {
  return gw.get(`/api/v1/responses/${id}${suffix}`, auth(key));
}

function deleteStored(id, key = keyA) {
  return request(`${gw.url}/api/v1/responses/${id}`, { method: 'DELETE', ...auth(key) });
}

/** One turn: the fake answers `answer`; resolves to the gateway's answer. */
async function turn(body, answer, key = keyA) {
  fake.enqueue({ body: answer });
  const res = await create(body, key);
  assert.equal(res.status, 200, res.text);
  return res;
}

// ---------------------------------------------------------------------------------------
// store, GET, DELETE

test('a stored response comes back from GET exactly as it was answered', async () => {
  const id = newId();
  const res = await turn({ input: 'Hello', instructions: 'Be brief.' }, upstreamResponse(id));
  assert.equal(res.json.id, id);
  assert.equal(res.json.store, true, 'the client sees the store it asked for (default true)');
  assert.equal(res.json.previous_response_id, null);

  const upstream = fake.lastRequest().body;
  assert.equal(upstream.store, false, 'the gateway keeps the response, the upstream need not');
  assert.equal(upstream.input, 'Hello');
  assert.ok(!('previous_response_id' in upstream));

  const got = await getStored(id);
  assert.equal(got.status, 200, got.text);
  assert.match(got.headers.get('content-type') || '', /application\/json/);
  assert.deepEqual(got.json, res.json);
  // The /v1 alias serves the same.
  const alias = await gw.get(`/v1/responses/${id}`, auth(keyA));
  assert.deepEqual(alias.json, res.json);
});

test('store: false is forwarded and nothing is stored', async () => {
  const id = newId();
  const res = await turn({ input: 'Hello', store: false }, upstreamResponse(id));
  assert.equal(res.json.store, false);
  assert.equal(fake.lastRequest().body.store, false);
  assertError(await getStored(id), { status: 404, code: 'not_found' });
});

test('DELETE answers the deletion object; the response is gone afterwards', async () => {
  const id = newId();
  await turn({ input: 'Hello' }, upstreamResponse(id));
  assert.equal((await getStored(id)).status, 200);

  const del = await deleteStored(id);
  assert.equal(del.status, 200, del.text);
  assert.deepEqual(del.json, { id, object: 'response', deleted: true });

  const err = assertError(await getStored(id), { status: 404, code: 'not_found' });
  assert.equal(err.message, `Response with id '${id}' not found.`);
  assertError(await deleteStored(id), { status: 404, code: 'not_found' });
  // A deleted response cannot be continued either.
  const cont = await create({ previous_response_id: id, input: 'More' });
  assertError(cont, { status: 400, code: 'previous_response_not_found' });
  assert.equal(fake.requests.length, 1, 'only the first turn went upstream');
});

test('failed responses are not stored; incomplete ones are', async () => {
  const failed = newId();
  await turn({ input: 'x' }, upstreamResponse(failed, { status: 'failed', output: [] }));
  assertError(await getStored(failed), { status: 404, code: 'not_found' });

  const incomplete = newId();
  await turn({ input: 'x' }, upstreamResponse(incomplete, { status: 'incomplete' }));
  const got = await getStored(incomplete);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.status, 'incomplete');
});

// ---------------------------------------------------------------------------------------
// previous_response_id

test('previous_response_id expands into the exact input the upstream receives', async () => {
  const first = newId();
  const firstOutput = [
    { type: 'reasoning', id: `rs_${first}`, summary: [] },
    messageItem(first, 'Let me look that up.'),
    {
      type: 'function_call',
      id: `fc_${first}`,
      call_id: 'call_weather',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    },
    { type: 'web_search_call', id: `ws_${first}`, status: 'completed' },
  ];
  await turn(
    { input: 'Weather in Paris?', instructions: 'Be brief.' },
    upstreamResponse(first, { output: firstOutput }),
  );

  const second = newId();
  const secondInput = [
    { type: 'function_call_output', call_id: 'call_weather', output: '{"sky":"clear"}' },
    { role: 'user', content: [{ type: 'input_text', text: 'And tomorrow?' }] },
  ];
  const res = await turn(
    { previous_response_id: first, input: secondInput },
    upstreamResponse(second, { text: 'Clear as well.' }),
  );
  assert.equal(res.json.previous_response_id, first, 'echoed as the client sent it');
  assert.equal(res.json.store, true);

  const expectedSecond = [
    { type: 'message', role: 'user', content: 'Weather in Paris?' },
    {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Let me look that up.', annotations: [] }],
    },
    {
      type: 'function_call',
      call_id: 'call_weather',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
    ...secondInput,
  ];
  const upstream = fake.lastRequest().body;
  assert.deepEqual(upstream.input, expectedSecond);
  assert.ok(!('previous_response_id' in upstream), 'resolved by the gateway, not forwarded');
  assert.ok(!('instructions' in upstream), 'instructions are not carried over');
  assert.equal(upstream.store, false);
  assert.equal(upstream.model, MODEL);

  // A third turn continues from the second: the whole conversation, in order.
  const third = newId();
  await turn({ previous_response_id: second, input: 'Thanks!' }, upstreamResponse(third));
  assert.deepEqual(fake.lastRequest().body.input, [
    ...expectedSecond,
    {
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Clear as well.', annotations: [] }],
    },
    { type: 'message', role: 'user', content: 'Thanks!' },
  ]);

  // The stored context of the second turn, as an OpenAI input item list.
  const items = await getStored(second, keyA, '/input_items?order=asc');
  assert.equal(items.status, 200, items.text);
  assert.equal(items.json.object, 'list');
  assert.equal(items.json.has_more, false);
  assert.equal(items.json.data.length, expectedSecond.length);
  assert.deepEqual(
    items.json.data.map((i) => i.type),
    expectedSecond.map((i) => i.type || 'message'),
  );
  assert.ok(items.json.data.every((i) => typeof i.id === 'string' && i.id.length > 0));
  assert.deepEqual(items.json.data[0].content, [
    { type: 'input_text', text: 'Weather in Paris?' },
  ]);
  assert.equal(items.json.first_id, items.json.data[0].id);
  const page = await getStored(second, keyA, '/input_items?limit=2');
  assert.equal(page.json.data.length, 2);
  assert.equal(page.json.has_more, true);
  assert.deepEqual(page.json.data[0].content, secondInput[1].content, 'newest first by default');
  assertError(await getStored(second, keyA, '/input_items?limit=0'), {
    status: 400,
    code: 'validation_error',
    param: 'limit',
  });
});

test('an unknown previous_response_id: 400 in OpenAI\'s shape, no upstream call', async () => {
  const res = await create({ previous_response_id: 'resp_does_not_exist', input: 'Hi' });
  const err = assertError(res, {
    status: 400,
    type: 'invalid_request_error',
    code: 'previous_response_not_found',
    param: 'previous_response_id',
  });
  assert.equal(err.message, "Previous response with id 'resp_does_not_exist' not found.");
  const bad = await create({ previous_response_id: 'not a valid/id', input: 'Hi' });
  assertError(bad, { status: 400, code: 'previous_response_not_found' });
  const wrongType = await create({ previous_response_id: 42, input: 'Hi' });
  assertError(wrongType, { status: 400, code: 'validation_error', param: 'previous_response_id' });
  const badStore = await create({ store: 'yes', input: 'Hi' });
  assertError(badStore, { status: 400, code: 'validation_error', param: 'store' });
  assert.equal(fake.requests.length, 0);
});

test("another key's response is invisible: GET and DELETE 404, continuing it 400", async () => {
  const id = newId();
  await turn({ input: 'Secret plans' }, upstreamResponse(id));

  assertError(await getStored(id, keyB), { status: 404, code: 'not_found' });
  assertError(await getStored(id, keyB, '/input_items'), { status: 404, code: 'not_found' });
  assertError(await deleteStored(id, keyB), { status: 404, code: 'not_found' });
  const cont = await create({ previous_response_id: id, input: 'Tell me' }, keyB);
  assertError(cont, { status: 400, code: 'previous_response_not_found' });
  assert.equal(fake.requests.length, 1);
  // Still there for its owner.
  assert.equal((await getStored(id, keyA)).status, 200);
});

test('an upstream id that another key already owns does not overwrite its response', async () => {
  const id = newId();
  const mine = await turn({ input: 'Mine' }, upstreamResponse(id, { text: 'mine' }));
  await turn({ input: 'Theirs' }, upstreamResponse(id, { text: 'theirs' }), keyB);
  assertError(await getStored(id, keyB), { status: 404, code: 'not_found' });
  assert.deepEqual((await getStored(id, keyA)).json, mine.json);
});

// ---------------------------------------------------------------------------------------
// streams

/** The recorded OpenAI stream with its response id replaced by `id`. */
function streamChunks(id) {
  return fixture('openai/responses_streaming.json').response.chunks.map((chunk) => {
    if (chunk.response) {
      return { ...chunk, response: { ...chunk.response, id, store: false } };
    }
    return chunk;
  });
}

test('a streamed response is stored from response.completed and GET returns it', async () => {
  const id = newId();
  fake.enqueue({ chunks: streamChunks(id) });
  const res = await postSse(
    `${gw.baseURL}/responses`,
    { model: `openai/${MODEL}`, input: 'Primes?', stream: true },
    auth(keyA),
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.error, null);
  assert.equal(fake.lastRequest().body.store, false);
  const created = res.events.find((e) => e.event === 'response.created');
  assert.equal(created.json.response.store, true, 'lifecycle events echo the client\'s store');
  const completed = res.events.find((e) => e.event === 'response.completed');
  assert.ok(completed, 'stream completed');
  assert.equal(completed.json.response.id, id);

  const got = await getStored(id);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json, completed.json.response);

  // And it continues like any other.
  const next = newId();
  await turn({ previous_response_id: id, input: 'And the next ten?' }, upstreamResponse(next));
  const input = fake.lastRequest().body.input;
  assert.equal(input.length, 3);
  assert.deepEqual(input[0], { type: 'message', role: 'user', content: 'Primes?' });
  assert.equal(input[1].role, 'assistant');
  assert.equal(input[1].content[0].text, completed.json.response.output[0].content[0].text);
});

test('the built-in test provider: stored, continued, streamed', async () => {
  const res = await gw.post(
    '/api/v1/responses',
    { model: 'test/test-model', input: 'One' },
    auth(keyA),
  );
  assert.equal(res.status, 200, res.text);
  assert.deepEqual((await getStored(res.json.id)).json, res.json);

  const streamed = await postSse(
    `${gw.baseURL}/responses`,
    { model: 'test/test-model', input: 'Two', previous_response_id: res.json.id, stream: true },
    auth(keyA),
  );
  assert.equal(streamed.status, 200, streamed.text);
  const completed = streamed.events.find((e) => e.event === 'response.completed');
  assert.ok(completed, JSON.stringify(streamed.events.map((e) => e.event)));
  assert.equal(completed.json.response.previous_response_id, res.json.id);
  const got = await getStored(completed.json.response.id);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.previous_response_id, res.json.id);
});

// ---------------------------------------------------------------------------------------
// limits, scopes, routes

test('a response larger than server.body_limit_bytes with its context is not stored', async () => {
  const id = newId();
  const big = 'x'.repeat(BODY_LIMIT);
  const res = await turn({ input: 'Say a lot' }, upstreamResponse(id, { text: big }));
  assert.equal(res.json.output[0].content[0].text.length, BODY_LIMIT, 'the client got it all');
  assertError(await getStored(id), { status: 404, code: 'not_found' });
  await waitFor(() => gw.log.some((l) => l.includes(`response ${id} not stored`)), {
    message: 'the warning',
  });
});

test('reading stored responses needs a key with the chat scope', async () => {
  const id = newId();
  await turn({ input: 'Hi' }, upstreamResponse(id));
  assertError(await gw.get(`/api/v1/responses/${id}`), {
    status: 401,
    code: 'missing_credentials',
  });
  assertError(await getStored(id, keyModelsOnly), { status: 403, code: 'insufficient_scope' });
  assertError(await deleteStored(id, keyModelsOnly), { status: 403, code: 'insufficient_scope' });
  assert.equal((await getStored(id)).status, 200);
});

test('methods, sub-paths and invalid ids', async () => {
  const put = await request(`${gw.url}/api/v1/responses/resp_1`, {
    method: 'PUT',
    ...auth(keyA),
  });
  assertError(put, { status: 405, code: 'method_not_allowed' });
  assert.equal(put.headers.get('allow'), 'GET, DELETE');
  const post = await request(`${gw.url}/api/v1/responses/resp_1/input_items`, {
    method: 'POST',
    ...auth(keyA),
  });
  assertError(post, { status: 405, code: 'method_not_allowed' });
  assertError(await getStored('resp_1', keyA, '/cancel'), { status: 404, code: 'not_found' });
  assertError(await getStored('bad%20id'), { status: 404, code: 'not_found' });
  assertError(await getStored('x'.repeat(300)), { status: 404, code: 'not_found' });
});

// ---------------------------------------------------------------------------------------
// without a database

test('without a database: nothing stored, previous_response_id goes upstream as sent', async () => {
  const plain = await startGateway({
    config: {
      providers: {
        default_provider: 'openai',
        openai: openAiProvider(fake.baseURL),
        test: testProvider(),
      },
    },
  });
  try {
    const id = newId();
    fake.enqueue({ body: upstreamResponse(id) });
    const res = await plain.post('/api/v1/responses', {
      model: `openai/${MODEL}`,
      input: 'Hi',
      previous_response_id: 'resp_upstream_kept',
    });
    assert.equal(res.status, 200, res.text);
    const upstream = fake.lastRequest().body;
    assert.equal(upstream.previous_response_id, 'resp_upstream_kept');
    assert.ok(!('store' in upstream), 'store is left as the client sent it');

    const err = assertError(await plain.get(`/api/v1/responses/${id}`), {
      status: 404,
      code: 'not_found',
    });
    assert.match(err.message, /no database/);

    const other = await plain.post('/api/v1/responses', {
      model: 'test/test-model',
      input: 'Hi',
      previous_response_id: 'resp_x',
    });
    assertError(other, {
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  } finally {
    await plain.dispose();
  }
});
