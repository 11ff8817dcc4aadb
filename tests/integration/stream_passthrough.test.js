'use strict';

// A chat stream from an OpenAI-compatible upstream reaches the client as the same events in
// the same order, whatever the upstream's framing and however its body is cut into reads:
// plain events pass as they came, and everything else (comments, ids, CR line ends,
// multi-line data, events split across reads, a byte-order mark) goes through the SSE parser
// and is framed again. The usage-only chunk, upstream errors and malformed events are found
// in either path.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const { openAiProvider, startGateway } = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      server: { threads: 1 }, // the single-thread event loop (no reactor locks)
      providers: { default_provider: 'openai', openai: openAiProvider(fake.baseURL) },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await fake?.close();
});

const chunk = (i, extra = {}) =>
  JSON.stringify({
    id: 'chatcmpl-pass',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content: `word ${i} ` }, finish_reason: null }],
    ...extra,
  });
const usageOnly = JSON.stringify({
  id: 'chatcmpl-pass',
  object: 'chat.completion.chunk',
  created: 1700000000,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
});

/** How the gateway frames one event's data: a `data:` line per line, then a blank line. */
const framed = (data) => `${data.split('\n').map((line) => `data: ${line}\n`).join('')}\n`;

/** A streamed chat request with `body`'s fields; the response, its body not read yet. */
async function postStream(body = {}) {
  const res = await fetch(`${gw.url}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say four words.' }],
      stream: true,
      ...body,
    }),
  });
  assert.equal(res.status, 200);
  return res;
}

/** The stream's text; `pauseMs`: how long the client waits before it reads the body. */
async function rawStream(body = {}, pauseMs = 0) {
  const res = await postStream(body);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  if (pauseMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return res.text();
}

const plain = [chunk(1), chunk(2), chunk(3), chunk(4)];
const plainText = plain.map((d) => `data: ${d}\n\n`).join('') + 'data: [DONE]\n\n';
const expectedPlain = plain.map(framed).join('') + 'data: [DONE]\n\n';

// The first event is read before the answer begins (to fall over to another provider if it
// fails): streams put it in a read of its own, so that the rest reaches the pass-through path.
const first = `data: ${chunk(0)}\n\n`;

// Every other shape of the same kind of stream, and the events a client must see.
const mixedText =
  '\uFEFF' +
  `data: ${chunk(1)}\n\n` +
  ': keep-alive\n\n' +
  `id: 7\ndata: ${chunk(2)}\n\n` +
  `data: ${chunk(3)}\r\n\r\n` +
  `data:${chunk(4)}\n\n` +
  `data: {"id":"chatcmpl-pass","object":"chat.completion.chunk",\ndata: "choices":[]}\n\n` +
  `data: ${chunk(5)}\n\n` +
  'data: [DONE]\n\n';
const expectedMixed =
  [
    chunk(1),
    chunk(2),
    chunk(3),
    chunk(4),
    '{"id":"chatcmpl-pass","object":"chat.completion.chunk",\n"choices":[]}',
    chunk(5),
  ]
    .map(framed)
    .join('') + 'data: [DONE]\n\n';

test('plain events pass byte for byte, read one by one or all at once', async () => {
  fake.setDefault({ text: plain.map((d) => `data: ${d}\n\n`).concat(['data: [DONE]\n\n']) });
  assert.equal(await rawStream(), expectedPlain);
  fake.setDefault({ text: [first, plainText] });
  assert.equal(await rawStream(), framed(chunk(0)) + expectedPlain);
});

test('plain events cut at any point arrive whole and in order', async () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    fake.setDefault({ text: plainText, splitSeed: seed });
    assert.equal(await rawStream(), expectedPlain, `split seed ${seed}`);
  }
});

test('events in every other framing are framed again, alone or cut into reads', async () => {
  fake.setDefault({ text: mixedText });
  assert.equal(await rawStream(), expectedMixed);
  fake.setDefault({ text: [first, mixedText.slice(1)] }); // the mark only counts at the start
  assert.equal(await rawStream(), framed(chunk(0)) + expectedMixed);
  for (const seed of [11, 12, 13, 14, 15]) {
    fake.setDefault({ text: mixedText, splitSeed: seed });
    assert.equal(await rawStream(), expectedMixed, `split seed ${seed}`);
  }
});

test('a byte-order mark counts only at the start of the stream', async () => {
  // A later read that starts with the mark starts with an unknown field (and the event is
  // dropped with it), as an SSE parser reads it, however the reads before it went.
  fake.setDefault({
    text: [first, `data: ${chunk(1)}\n\n`, `\uFEFFdata: ${chunk(2)}\n\n`, 'data: [DONE]\n\n'],
  });
  assert.equal(await rawStream(), framed(chunk(0)) + framed(chunk(1)) + 'data: [DONE]\n\n');
});

test('the usage-only chunk amid plain events goes only to a client that asked for it', async () => {
  const text = [chunk(1), chunk(2), usageOnly, chunk(3)].map((d) => `data: ${d}\n\n`).join('');
  fake.setDefault({ text: [first, text + 'data: [DONE]\n\n'] });
  assert.equal(
    await rawStream(),
    [chunk(0), chunk(1), chunk(2), chunk(3)].map(framed).join('') + 'data: [DONE]\n\n',
  );
  assert.equal(
    await rawStream({ stream_options: { include_usage: true } }),
    [chunk(0), chunk(1), chunk(2), usageOnly, chunk(3)].map(framed).join('') +
      'data: [DONE]\n\n',
  );
});

test('an error or a malformed event after plain ones ends the stream in-band', async () => {
  for (const bad of ['{"error":{"message":"boom","type":"server_error"}}', 'not json']) {
    const rest = `data: ${chunk(1)}\n\ndata: ${chunk(2)}\n\ndata: ${bad}\n\ndata: [DONE]\n\n`;
    fake.setDefault({ text: [first, rest] });
    const text = await rawStream();
    const passed = framed(chunk(0)) + framed(chunk(1)) + framed(chunk(2));
    assert.ok(text.startsWith(passed), text);
    assert.match(text.slice(passed.length), /^data: \{"error":\{/);
    assert.ok(!text.includes('[DONE]'), 'no success terminator after an error');
  }
});

test('a stream cut before [DONE] is never passed off as complete', async () => {
  fake.setDefault({ text: [first, `data: ${chunk(1)}\n\ndata: ${chunk(2)}\n\n`] });
  const text = await rawStream();
  assert.ok(text.startsWith(framed(chunk(0)) + framed(chunk(1)) + framed(chunk(2))), text);
  assert.match(text, /stream ended before completion/);
  assert.ok(!text.includes('[DONE]'));
});

test('a client that stops reading mid-stream gets every byte once it reads again', async () => {
  // Far more than the socket buffers hold: the gateway's writes find the client's socket
  // full and wait for room, then go on where they stopped.
  const big = Array.from({ length: 4000 }, (_, i) =>
    chunk(i, { system_fingerprint: `fp_${'x'.repeat(4000)}` }),
  );
  const text = big.map((d) => `data: ${d}\n\n`).join('') + 'data: [DONE]\n\n';
  fake.setDefault({ text: [first, text] });
  const got = await rawStream({}, 1000);
  assert.equal(got.length, framed(chunk(0)).length + text.length);
  assert.ok(got === framed(chunk(0)) + text, 'the same bytes in the same order');
});

/**
 * Reads a stream until `until` is in its text or `timeoutMs` passed; then `release()`, and
 * reads to the end. Returns the whole text and whether `until` came before the timeout.
 */
async function readReleasing(res, until, release, timeoutMs = 5000) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let seen = false;
  let late = false;
  const timer = setTimeout(() => {
    late = true; // the upstream goes on anyway: no hang
    release();
  }, timeoutMs);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    text += decoder.decode(value, { stream: true });
    if (!seen && !late && text.includes(until)) {
      seen = true;
      clearTimeout(timer);
      release();
    }
  }
  clearTimeout(timer);
  return { text, seen };
}

test('events read together go out before the gateway waits on the upstream again', async () => {
  // The gateway writes events it has in hand together. Whatever it holds goes out before it
  // waits for more: here the upstream sends nothing more until the client saw it all.
  const [c0, c1, c2, u] = [chunk(0), chunk(1), chunk(2), usageOnly].map(framed);
  const sent = (...datas) => datas.map((d) => `data: ${d}\n\n`).join('');
  const cases = [
    // plain events around a usage chunk, then a wait before the next event
    {
      rest: sent(chunk(1), usageOnly, chunk(2)),
      tail: sent('[DONE]'),
      usage: true,
      before: c0 + c1 + u + c2,
      after: '',
    },
    // the same, then [DONE], then a wait before the body's end
    {
      rest: sent(chunk(1), usageOnly, chunk(2), '[DONE]'),
      tail: '',
      usage: true,
      before: c0 + c1 + u + c2,
      after: '',
    },
    // a held event, then a usage chunk the client did not ask for, then a wait
    {
      rest: sent(chunk(1), usageOnly),
      tail: sent(chunk(2), '[DONE]'),
      usage: false,
      before: c0 + c1,
      after: c2,
    },
  ];
  for (const [i, { rest, tail, usage, before, after }] of cases.entries()) {
    let release;
    const gate = new Promise((resolve) => {
      release = () => resolve(tail);
    });
    fake.setDefault({ text: [first, rest, gate] });
    const res = await postStream(usage ? { stream_options: { include_usage: true } } : {});
    const { text, seen } = await readReleasing(res, before, release);
    assert.ok(seen, `case ${i}: the events in hand reached the client while the upstream waited`);
    assert.equal(text, before + after + 'data: [DONE]\n\n', `case ${i}`);
  }
});
