'use strict';

// A fake Anthropic Messages API for the black-box tests.
//
//   const fake = await startFakeAnthropic();
//   fake.enqueue({ fixture: 'messages_success.json' }); // anthropic/… under tests/fixtures
//   // provider config: { type: 'anthropic', base_url: fake.url, … }
//   fake.requests // [{ method, url, headers, body }], every POST received
//
// Every POST is recorded and answered by the next queued script (a 500 `api_error` when
// the queue is empty):
//   fixture   an `anthropic/*.json` file: its body as JSON, or its chunks as SSE events
//             (`event: <type>\ndata: <json>\n\n`, 2 ms apart)
//   response  the same shape as a fixture's `response`, given inline instead
//   stopAfter end an SSE body after that many events (a stream cut short)
//   text      a streamed body as these texts, written 5 ms apart; an entry may be a
//             promise of its text, which the stream waits for (a test holds the upstream
//             back until its client saw what came before)
//
// GET requests are the gateway's background model-list fetches (`/v1/models?limit=1000`):
// they are answered with two models and recorded in `listRequests`, not in `requests`.

const http = require('node:http');

const { fixture } = require('./fake_upstream');

const LISTED_MODELS = [
  { type: 'model', id: 'claude-sonnet-4-5-20250929' },
  { type: 'model', id: 'claude-haiku-4-5' },
];

/** Start the fake on 127.0.0.1 (a free port); resolves once it listens. */
async function startFakeAnthropic() {
  const requests = [];
  const listRequests = [];
  const queue = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      listRequests.push({ url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: LISTED_MODELS, has_more: false }));
      return;
    }
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part) => {
      raw += part;
    });
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(res, queue.shift()).catch(() => res.destroy());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    listRequests,
    enqueue: (script) => queue.push(script),
    /** Forget queued scripts and recorded POSTs (`listRequests` are kept). */
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function answer(res, script) {
  if (!script) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'no script' } }));
    return;
  }
  if (script.text) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const entry of script.text) {
      res.write(await entry);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    res.end();
    return;
  }
  const response = script.response || fixture(`anthropic/${script.fixture}`).response;
  if (!response.streaming) {
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response.body));
    return;
  }
  res.writeHead(response.status, { 'content-type': 'text/event-stream' });
  const events = response.chunks.slice(0, script.stopAfter ?? response.chunks.length);
  for (const ev of events) {
    res.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  res.end();
}

module.exports = { startFakeAnthropic };
