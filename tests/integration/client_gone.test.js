'use strict';

// A client that goes away mid-request: the gateway's read on the client socket (the watch
// kept while a request is answered) sees it, the upstream call is abandoned (its connection
// closed, so the provider stops generating), and the access log records the disconnect.

const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const { openAiProvider, sseEvents, startGateway, waitFor } = require('../lib/gateway');

let upstream;
let gw;

before(async () => {
  upstream = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'up',
        up: openAiProvider(upstream.baseURL, { retry: { max_retries: 0 } }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await upstream?.close();
});

beforeEach(() => upstream.reset());
afterEach(async (t) => gw?.reportIfFailed(t));

const messages = [{ role: 'user', content: 'Hello' }];

test('a client that leaves while the upstream works: the upstream call is dropped', async () => {
  upstream.setDefault({ fault: 'hang' });
  const controller = new AbortController();
  const pending = fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'up/gpt-4o-mini', messages }),
    signal: controller.signal,
  }).catch((err) => err);
  await waitFor(() => upstream.requests.length === 1, { message: 'the upstream request' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(upstream.requests[0].closed, false, 'still waiting on the upstream');
  controller.abort();
  assert.ok((await pending) instanceof Error);
  await waitFor(() => upstream.requests[0].connectionClosed, {
    message: 'the gateway to close the upstream connection',
  });
  const line = /request_id=\S+ method=POST path=\/api\/v1\/chat\/completions status=499 .*error=client_disconnected/;
  assert.match(await gw.outputMatching(line), line);

  // The connection the client left is gone; others are served as before.
  upstream.setDefault({ fixture: 'openai/chat_completion_success.json' });
  const res = await gw.post('/api/v1/chat/completions', { model: 'up/gpt-4o-mini', messages });
  assert.equal(res.status, 200, res.text);
});

test('a client that leaves mid-stream: the upstream stream is cut, not read to the end', async () => {
  upstream.setDefault({ fixture: 'openai/chat_completion_streaming.json', chunkDelayMs: 100 });
  const controller = new AbortController();
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'up/gpt-4o-mini', messages, stream: true }),
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  let received = 0;
  try {
    for await (const event of sseEvents(res)) {
      if (event.data && event.data !== '[DONE]') {
        received += 1;
      }
      if (received === 2) {
        controller.abort();
      }
    }
  } catch {
    // aborted
  }
  assert.equal(received, 2);
  await waitFor(() => upstream.requests[0].closed, { message: 'the upstream exchange to end' });
  assert.equal(upstream.requests[0].aborted, true, 'the upstream saw the connection go');
  const total = require('../fixtures/openai/chat_completion_streaming.json').response.chunks.length;
  assert.ok(upstream.requests[0].chunksSent < total, `${upstream.requests[0].chunksSent} of ${total}`);
});
