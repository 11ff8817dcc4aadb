'use strict';

// The official `openai` client against the gateway in front of non-OpenAI providers: a tool
// call streamed by Anthropic (SSE) or Bedrock (binary event-stream frames cut at random byte
// boundaries) must assemble, in the SDK, into the same `tool_calls` as one streamed by an
// OpenAI provider; a Gemini function call must come out of the Responses API as a
// `function_call` item, streamed or not; a plain Anthropic answer keeps its text and usage.
// Each fake replays a recorded response of its provider.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const OpenAI = require('openai');

const { startFakeAnthropic } = require('../fakes/anthropic');
const { startFakeBedrock } = require('../fakes/bedrock');
const { fixture, startFakeUpstream } = require('../fakes/fake_upstream');
const { replay, startFakeGemini } = require('../fakes/gemini');
const { openAiProvider, startGateway } = require('../lib/gateway');

const ACCESS_KEY = 'AKIDEXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const NO_RETRY = { retry: { max_retries: 0 }, circuit_breaker: { enabled: false } };

const MODELS = {
  openai: 'openai/gpt-4o-mini',
  anthropic: 'anthropic/claude-sonnet-4-20250514',
  bedrock: 'bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  vertex: 'vertex/gemini-2.0-flash',
};

let fakes;
let gw;
let client;

before(async () => {
  fakes = {
    openai: await startFakeUpstream(),
    anthropic: await startFakeAnthropic(),
    bedrock: await startFakeBedrock({ secrets: { [ACCESS_KEY]: SECRET_KEY } }),
    gemini: await startFakeGemini(),
  };
  gw = await startGateway({
    config: {
      providers: {
        openai: openAiProvider(fakes.openai.baseURL),
        anthropic: {
          type: 'anthropic',
          base_url: fakes.anthropic.url,
          api_key: 'sk-ant-test',
          ...NO_RETRY,
        },
        bedrock: {
          type: 'bedrock',
          region: 'us-east-1',
          base_url: fakes.bedrock.url,
          credentials: { type: 'static', access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY },
          ...NO_RETRY,
        },
        vertex: {
          type: 'vertex',
          base_url: fakes.gemini.baseURL,
          api_key: 'test-gemini-key',
          ...NO_RETRY,
        },
      },
    },
  });
  client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
});

after(async () => {
  await gw?.dispose();
  for (const fake of Object.values(fakes || {})) {
    await fake.close();
  }
});

beforeEach(() => {
  for (const fake of Object.values(fakes)) {
    fake.reset();
  }
});

afterEach(async (t) => gw?.reportIfFailed(t));

// ---------------------------------------------------------------------------------------
// Streamed tool calls in Chat Completions

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

const toolRequest = {
  messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }],
  tools: [weatherTool],
};

/**
 * The tool call of each provider's streaming recording: `{ id, name, fragments }`, the
 * non-empty argument pieces in the order they were streamed.
 */
const recordedToolCall = {
  openai() {
    const chunks = fixture('openai/tool_call_streaming.json').response.chunks;
    const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls || []);
    return {
      id: deltas[0].id,
      name: deltas[0].function.name,
      fragments: deltas.map((d) => d.function.arguments).filter(Boolean),
    };
  },
  anthropic() {
    const events = fixture('anthropic/tool_call_streaming.json').response.chunks;
    const start = events.find((e) => e.content_block?.type === 'tool_use').content_block;
    return {
      id: start.id,
      name: start.name,
      fragments: events.map((e) => e.delta?.partial_json).filter(Boolean),
    };
  },
  bedrock() {
    const events = fixture('bedrock/tool_call_streaming.json').response.events;
    const start = events.find((e) => e.payload.start?.toolUse).payload.start.toolUse;
    return {
      id: start.toolUseId,
      name: start.name,
      fragments: events.map((e) => e.payload.delta?.toolUse?.input).filter(Boolean),
    };
  },
};

/** Make the fake of `provider` answer the next `times` requests with its tool-call stream. */
function scriptToolCallStream(provider, times) {
  if (provider === 'openai') {
    fakes.openai.route('gpt-4o-mini', { fixture: 'openai/tool_call_streaming.json' });
    return;
  }
  for (let i = 0; i < times; i += 1) {
    fakes[provider].enqueue({ fixture: 'tool_call_streaming.json' });
  }
}

/** What must be equal whichever provider streamed it: the call without its id. */
function toolCallShape(call) {
  return {
    type: call.type,
    function: { name: call.function.name, arguments: JSON.parse(call.function.arguments) },
  };
}

/**
 * `chat.completions.stream()` → `finalChatCompletion()`, with the SDK's argument-delta
 * events; then the raw chunks of `create({ stream: true })`. Asserts both against the
 * recording of `provider` and returns the final tool call.
 */
async function streamToolCall(provider) {
  const recorded = recordedToolCall[provider]();
  scriptToolCallStream(provider, 2);

  // 1. The SDK's stream helper assembles the completion.
  const stream = client.chat.completions.stream({ model: MODELS[provider], ...toolRequest });
  const argDeltas = [];
  const argsDone = [];
  stream.on('tool_calls.function.arguments.delta', (e) => argDeltas.push(e));
  stream.on('tool_calls.function.arguments.done', (e) => argsDone.push(e));
  const completion = await stream.finalChatCompletion();
  assert.equal(completion.choices.length, 1);
  const choice = completion.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.role, 'assistant');
  assert.equal(choice.message.tool_calls.length, 1, JSON.stringify(choice.message));
  const call = choice.message.tool_calls[0];
  assert.equal(typeof call.id, 'string');
  assert.ok(call.id.length > 0, 'the tool call has an id');
  assert.equal(call.id, recorded.id);
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, recorded.name);
  assert.equal(call.function.arguments, recorded.fragments.join(''));
  assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco, USA' });
  const pieces = argDeltas.map((e) => e.arguments_delta).filter(Boolean);
  assert.deepEqual(pieces, recorded.fragments, 'the SDK saw the argument deltas as recorded');
  assert.ok(argDeltas.every((e) => e.index === 0 && e.name === recorded.name));
  assert.deepEqual(
    argsDone.map((e) => [e.index, e.name, e.arguments]),
    [[0, recorded.name, call.function.arguments]],
  );

  // 2. The raw chunks, as `create({ stream: true })` yields them.
  const chunks = [];
  for await (const chunk of await client.chat.completions.create({
    model: MODELS[provider],
    ...toolRequest,
    stream: true,
  })) {
    chunks.push(chunk);
  }
  const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls || []));
  assert.ok(deltas.length > 0, 'tool call deltas were streamed');
  assert.ok(
    deltas.every((d) => d.index === 0),
    `every delta is of tool call 0: ${JSON.stringify(deltas)}`,
  );
  assert.equal(deltas[0].id, recorded.id);
  assert.equal(deltas[0].type, 'function');
  assert.equal(deltas[0].function.name, recorded.name);
  assert.ok(
    deltas.slice(1).every((d) => !d.id && !d.function.name),
    'id and name only on the first delta',
  );
  const fragments = deltas.map((d) => d.function.arguments).filter(Boolean);
  assert.ok(recorded.fragments.length > 1, 'the recording has several argument deltas');
  assert.ok(fragments.length > 1, `arguments arrive in several chunks: ${fragments.length}`);
  assert.deepEqual(fragments, recorded.fragments);
  assert.deepEqual(JSON.parse(fragments.join('')), JSON.parse(call.function.arguments));
  const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean);
  assert.deepEqual(finishes, ['tool_calls']);
  return call;
}

let openAiCall;

/** The tool call as streamed through the OpenAI provider (once per run). */
function openAiBaseline() {
  openAiCall ??= streamToolCall('openai');
  return openAiCall;
}

test('OpenAI provider: a streamed tool call assembles in the SDK', async () => {
  await openAiBaseline();
  assert.equal(fakes.openai.requests.length, 2);
  assert.ok(fakes.openai.requests.every((r) => r.body.stream === true));
});

test('Anthropic provider: a streamed tool call assembles like the OpenAI one', async () => {
  const call = await streamToolCall('anthropic');
  assert.equal(fakes.anthropic.requests.length, 2);
  for (const req of fakes.anthropic.requests) {
    assert.equal(req.url, '/v1/messages');
    assert.equal(req.body.stream, true);
    assert.equal(req.body.tools[0].name, 'get_weather');
  }
  assert.deepEqual(toolCallShape(call), toolCallShape(await openAiBaseline()));
});

test('Bedrock provider: an event-stream tool call assembles like the OpenAI one', async () => {
  const call = await streamToolCall('bedrock');
  assert.equal(fakes.bedrock.requests.length, 2);
  for (const req of fakes.bedrock.requests) {
    assert.equal(req.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream');
    assert.ok(req.sig.ok, req.sig.why);
    assert.equal(req.body.toolConfig.tools[0].toolSpec.name, 'get_weather');
  }
  assert.deepEqual(toolCallShape(call), toolCallShape(await openAiBaseline()));
});

// ---------------------------------------------------------------------------------------
// A Gemini function call through the Responses API

const responsesTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: weatherTool.function.parameters,
};

/** The function call of a recorded Gemini answer: `{ name, args }`. */
function recordedFunctionCall(body) {
  return body.candidates[0].content.parts.find((p) => p.functionCall).functionCall;
}

test('Vertex provider: responses.create returns the function_call item', async () => {
  fakes.gemini.enqueue(replay('tool_call_success.json'));
  const recorded = recordedFunctionCall(replay('tool_call_success.json').body);
  const response = await client.responses.create({
    model: MODELS.vertex,
    input: 'What is the weather in San Francisco?',
    tools: [responsesTool],
  });
  assert.equal(fakes.gemini.requests.length, 1);
  assert.equal(fakes.gemini.requests[0].url, '/v1beta/models/gemini-2.0-flash:generateContent');
  assert.equal(
    fakes.gemini.requests[0].body.tools[0].functionDeclarations[0].name,
    'get_weather',
  );
  assert.equal(response.object, 'response');
  assert.equal(response.status, 'completed');
  const calls = response.output.filter((item) => item.type === 'function_call');
  assert.equal(calls.length, 1, JSON.stringify(response.output));
  assert.equal(calls[0].name, recorded.name);
  assert.deepEqual(JSON.parse(calls[0].arguments), recorded.args);
  assert.equal(typeof calls[0].call_id, 'string');
  assert.ok(calls[0].call_id.length > 0, 'the function call has a call_id');
  assert.equal(response.usage.input_tokens, 45);
  assert.equal(response.usage.output_tokens, 8);
});

test('Vertex provider: responses.stream emits the function_call events', async () => {
  // The stream recording of the same call: one chunk carrying the whole functionCall.
  const script = replay('tool_call_streaming.json');
  fakes.gemini.enqueue(script);
  const recorded = recordedFunctionCall(script.chunks[0]);
  const stream = client.responses.stream({
    model: MODELS.vertex,
    input: 'What is the weather in San Francisco?',
    tools: [responsesTool],
  });
  const events = [];
  for await (const event of stream) {
    events.push(event);
  }
  const final = await stream.finalResponse();
  assert.equal(
    fakes.gemini.requests[0].url,
    '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
  );

  const types = events.map((e) => e.type);
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  const seq = events.map((e) => e.sequence_number);
  assert.ok(
    seq.every((n, i) => Number.isInteger(n) && (i === 0 || n > seq[i - 1])),
    `sequence numbers increase: ${seq.join(', ')}`,
  );

  const added = events.filter(
    (e) => e.type === 'response.output_item.added' && e.item.type === 'function_call',
  );
  assert.equal(added.length, 1, types.join(', '));
  assert.equal(added[0].item.name, recorded.name);
  const outputIndex = added[0].output_index;
  const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
  assert.ok(deltas.length > 0, 'argument deltas were streamed');
  assert.ok(deltas.every((e) => e.output_index === outputIndex && e.item_id === added[0].item.id));
  const done = events.filter((e) => e.type === 'response.function_call_arguments.done');
  assert.equal(done.length, 1);
  assert.equal(done[0].arguments, deltas.map((e) => e.delta).join(''));
  assert.deepEqual(JSON.parse(done[0].arguments), recorded.args);
  const itemDone = events.filter(
    (e) => e.type === 'response.output_item.done' && e.item.type === 'function_call',
  );
  assert.equal(itemDone.length, 1);
  assert.equal(itemDone[0].item.status, 'completed');
  assert.equal(itemDone[0].item.arguments, done[0].arguments);
  const order = [
    'response.output_item.added',
    'response.function_call_arguments.delta',
    'response.function_call_arguments.done',
    'response.output_item.done',
    'response.completed',
  ].map((type) => types.indexOf(type));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    `events in order: ${types.join(', ')}`,
  );

  assert.equal(final.status, 'completed');
  const call = final.output.find((item) => item.type === 'function_call');
  assert.ok(call, JSON.stringify(final.output));
  assert.equal(call.name, recorded.name);
  assert.equal(call.call_id, added[0].item.call_id);
  assert.deepEqual(JSON.parse(call.arguments), recorded.args);
});

// ---------------------------------------------------------------------------------------
// A plain Anthropic answer

test('Anthropic provider: chat.completions.create gives the recorded text and usage', async () => {
  fakes.anthropic.enqueue({ fixture: 'messages_success.json' });
  const recorded = fixture('anthropic/messages_success.json').response.body;
  const completion = await client.chat.completions.create({
    model: MODELS.anthropic,
    messages: [{ role: 'user', content: 'List the first ten primes, one per line.' }],
  });
  assert.equal(fakes.anthropic.requests.length, 1);
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices.length, 1);
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.equal(completion.choices[0].message.content, recorded.content[0].text);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.equal(completion.usage.prompt_tokens, recorded.usage.input_tokens);
  assert.equal(completion.usage.completion_tokens, recorded.usage.output_tokens);
  assert.equal(
    completion.usage.total_tokens,
    recorded.usage.input_tokens + recorded.usage.output_tokens,
  );
});
