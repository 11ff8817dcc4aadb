'use strict';

// A fake Gemini API (and Google token endpoint) for the black-box tests of the vertex
// provider.
//
//   const fake = await startFakeGemini();
//   fake.enqueue(replay('generate_content_success.json')); // vertex/… under tests/fixtures
//   // provider config: { type: 'vertex', base_url: fake.baseURL, api_key: … }
//   fake.requests // [{ method, url, headers, body }]
//
// Every generateContent / streamGenerateContent request is recorded and answered by the next
// queued script (a 500 `INTERNAL` when the queue is empty):
//   { status, body }  a JSON answer
//   { chunks }        an SSE answer, one `data: <json>\r\n\r\n` event per chunk
// `replay(name)` turns a recorded `vertex/*.json` fixture into such a script.
//
// Apart from the queue:
//   GET /v1beta/models?…  the gateway's background model-list fetch (with the API key):
//                         two models, recorded in `listRequests`
//   POST /token           a service account's token endpoint (`token_uri: origin + /token`):
//                         `ya29.test-token`, recorded in `tokenRequests` with the parsed form

const http = require('node:http');

const { fixture } = require('./fake_upstream');

const LISTED_MODELS = [{ name: 'models/gemini-2.5-flash' }, { name: 'models/gemini-2.5-pro' }];
const TOKEN = { access_token: 'ya29.test-token', expires_in: 3599, token_type: 'Bearer' };

/** A script replaying the recorded `vertex/<name>`; `extra` fields are added to it. */
function replay(name, extra = {}) {
  const { response } = fixture(`vertex/${name}`);
  if (response.streaming) {
    return { chunks: response.chunks, ...extra };
  }
  return { status: response.status, body: response.body, ...extra };
}

function sendJson(res, status, value, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(value));
}

/** Start the fake on 127.0.0.1 (a free port); resolves once it listens. */
function startFakeGemini() {
  const requests = [];
  const listRequests = [];
  const tokenRequests = [];
  const queue = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/v1beta/models?')) {
      sendJson(res, 200, { models: LISTED_MODELS });
      listRequests.push({ url: req.url, headers: req.headers });
      return;
    }
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      if (req.url === '/token') {
        tokenRequests.push({ headers: req.headers, form: new URLSearchParams(text) });
        sendJson(res, 200, TOKEN);
        return;
      }
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      const script = queue.shift();
      if (!script) {
        sendJson(res, 500, { error: { code: 500, message: 'no script', status: 'INTERNAL' } });
        return;
      }
      if (script.chunks) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const chunk of script.chunks) {
          res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
        }
        res.end();
        return;
      }
      sendJson(res, script.status || 200, script.body, 'application/json; charset=UTF-8');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        /** What a Gemini API key provider's `base_url` points at. */
        baseURL: `http://127.0.0.1:${port}/v1beta/models`,
        requests,
        listRequests,
        tokenRequests,
        enqueue: (script) => queue.push(script),
        /** Forget queued scripts, recorded requests and token requests (not `listRequests`). */
        reset: () => {
          requests.length = 0;
          tokenRequests.length = 0;
          queue.length = 0;
        },
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

module.exports = { startFakeGemini, replay };
