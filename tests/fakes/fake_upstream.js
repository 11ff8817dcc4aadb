'use strict';

// A fake OpenAI-compatible provider for the black-box tests.
//
// It listens on 127.0.0.1 (port 0), answers every request from a *script*, records every
// request it received and counts the TCP connections opened and closed, so that a test can
// assert what the gateway sent upstream and that it let go of an upstream connection.
//
// `GET .../models` (the gateway's background model-list fetches and health probes) is
// answered by the `modelList` script (default: replay `openai/models_list.json`), never from
// the queue, and recorded in `modelListRequests` instead of `requests`.
//
// Choosing the script of any other request, first match wins:
//   1. the queue (`enqueue(script)`, one script per request, first in first out);
//   2. the request's JSON `model` (`route(model, script)`, used for every such request,
//      which keeps working when the gateway retries);
//   3. the default script (`setDefault(script)`);
//   4. otherwise a 404 with an OpenAI-shaped error (`code: "no_script"`).
//
// A script is an object; every field is optional:
//   fixture      'openai/chat_completion_success.json': status, headers and body or chunks
//                of a recorded response under tests/fixtures (the other fields override them)
//   status       HTTP status (200)
//   headers      response headers (hop-by-hop headers of a fixture are dropped)
//   body         non-streaming body: an object (sent as JSON) or a string (sent as is)
//   chunks       streaming body: objects (or raw strings) sent as SSE events
//   sse          'chat': `data: <json>\n\n` … `data: [DONE]\n\n`;
//                'responses': `event: <type>\ndata: <json>\n\n`, no [DONE].
//                Default: 'responses' when the chunks carry a `response.*` type, else 'chat'.
//   done         send `data: [DONE]` at the end (default: true for chat, false for responses)
//   usage        chat streams only: when the request asks for
//                `stream_options.include_usage` and no chunk carries `usage`, a final
//                usage-only chunk (`choices: []`) with this usage is appended, as OpenAI
//                does. `false` turns it off.
//   nullUsage    chat streams asked for usage: every other chunk carries `usage: null`, as
//                OpenAI's do
//   delayMs      wait before sending the response headers
//   chunkDelayMs wait before each chunk
//   fault        'hang'   accept the request and never answer
//                'close'  close the connection without answering
//                'reset'  reset the connection (TCP RST) without answering
//                'drop'   stream: close the connection after `afterChunks` chunks
//                'stall'  stream: send `afterChunks` chunks, then nothing, connection kept
//   afterChunks  chunks sent before a 'drop' or 'stall' (0)
//   splitSeed    stream: write the whole SSE body in pieces of 1..48 bytes cut at
//                pseudo-random points (from this seed), 1 ms apart, so that events and
//                even UTF-8 sequences straddle reads
//   text         stream: the SSE body as this exact text, or an array of texts written
//                5 ms apart (each most likely read on its own); cut by splitSeed when given.
//                An entry may be a promise of its text: the stream waits for it (a test
//                holds the upstream back until its client saw what came before)

const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

const HOP_BY_HOP = new Set([
  'connection',
  'content-encoding',
  'content-length',
  'keep-alive',
  'transfer-encoding',
]);

const DEFAULT_USAGE = { prompt_tokens: 24, completion_tokens: 41, total_tokens: 65 };

const fixtureCache = new Map();
const socketState = new WeakMap();

/** The parsed fixture file `name` ('openai/chat_completion_success.json'); do not mutate. */
function loadFixture(name) {
  if (!fixtureCache.has(name)) {
    const file = path.join(FIXTURES_DIR, name);
    fixtureCache.set(name, JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return fixtureCache.get(name);
}

/** A deep copy of a fixture, safe to change. */
function fixture(name) {
  return structuredClone(loadFixture(name));
}

/** The script with its fixture (if any) expanded; explicit fields win. */
function resolveScript(script) {
  if (!script.fixture) {
    return { ...script };
  }
  const response = fixture(script.fixture).response;
  const base = { status: response.status, headers: response.headers || {} };
  if (response.streaming) {
    base.chunks = response.chunks;
  } else {
    base.body = response.body;
  }
  return { ...base, ...script };
}

function isResponsesStream(chunks) {
  return chunks.some(
    (c) =>
      c && typeof c === 'object' && typeof c.type === 'string' && c.type.startsWith('response.'),
  );
}

function cleanHeaders(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers || {})) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) {
      out[name] = value;
    }
  }
  return out;
}

function hasHeader(headers, name) {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

/** Write and wait until the data is handed to the socket (or the response is gone). */
function writeChunk(res, data) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('close', done);
      resolve();
    };
    res.on('close', done);
    res.write(data, done);
  });
}

class FakeUpstream {
  constructor() {
    this.requests = [];
    this.modelListRequests = [];
    this.modelList = { fixture: 'openai/models_list.json' };
    this.queue = [];
    this.routes = new Map();
    this.defaultScript = null;
    this.connections = { opened: 0, closed: 0 };
    this.sockets = new Set();
    this.timers = new Set();
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Never time out a held request ourselves, and keep idle connections longer than a
    // test takes, so the gateway's pooled connections do not vanish under it.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.connections.opened += 1;
      this.sockets.add(socket);
      const state = { closed: false };
      socketState.set(socket, state);
      socket.on('close', () => {
        state.closed = true;
        this.connections.closed += 1;
        this.sockets.delete(socket);
      });
    });
  }

  /** Start listening; resolves to this. */
  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this;
  }

  get port() {
    return this.server.address().port;
  }

  /** `http://127.0.0.1:<port>` */
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:<port>/v1`, what a provider's `base_url` points at. */
  get baseURL() {
    return `${this.url}/v1`;
  }

  /** Connections currently open. */
  get openConnections() {
    return this.connections.opened - this.connections.closed;
  }

  /** Answer the next requests with these scripts, in order. */
  enqueue(...scripts) {
    this.queue.push(...scripts);
    return this;
  }

  /** Answer every request whose JSON body has this `model` with `script`. */
  route(model, script) {
    this.routes.set(model, script);
    return this;
  }

  /** Answer unmatched requests with `script` (null: back to the built-in answers). */
  setDefault(script) {
    this.defaultScript = script;
    return this;
  }

  /** Answer `GET .../models` with `script` from now on. */
  setModelList(script) {
    this.modelList = script;
    return this;
  }

  /** Forget scripts and recorded requests (connection counters keep counting). */
  reset() {
    this.requests = [];
    this.modelListRequests = [];
    this.queue = [];
    this.routes.clear();
    this.defaultScript = null;
    return this;
  }

  /** Recorded requests whose JSON body had this `model`. */
  requestsFor(model) {
    return this.requests.filter((r) => r.body && r.body.model === model);
  }

  lastRequest() {
    return this.requests[this.requests.length - 1];
  }

  /** Poll `predicate` until it returns a truthy value (returned) or the time is up. */
  async waitFor(predicate, { timeoutMs = 5000, intervalMs = 10, message = 'condition' } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await predicate();
      if (value) {
        return value;
      }
      if (Date.now() >= deadline) {
        throw new Error(`fake upstream: timed out after ${timeoutMs} ms waiting for ${message}`);
      }
      await this.sleep(intervalMs);
    }
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stop listening and drop every connection, held ones included. */
  async close() {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    const closed = new Promise((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  pickScript(req, body) {
    if (this.queue.length > 0) {
      return this.queue.shift();
    }
    if (body && typeof body.model === 'string' && this.routes.has(body.model)) {
      return this.routes.get(body.model);
    }
    if (this.defaultScript) {
      return this.defaultScript;
    }
    const model = body && body.model !== undefined ? ` model=${JSON.stringify(body.model)}` : '';
    return {
      status: 404,
      body: {
        error: {
          message: `fake upstream: no script for ${req.method} ${req.url}${model}`,
          type: 'invalid_request_error',
          param: null,
          code: 'no_script',
        },
      },
    };
  }

  handle(req, res) {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const rawBody = Buffer.concat(parts).toString('utf8');
      let body = null;
      if (rawBody.length > 0) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = null;
        }
      }
      const record = {
        index: this.requests.length,
        method: req.method,
        path: req.url,
        headers: { ...req.headers },
        body,
        rawBody,
        receivedAt: Date.now(),
        chunksSent: 0,
        finished: false, // the whole response was written
        closed: false, // the exchange is over (response done, or its connection gone)
        aborted: false, // it was over before the response was complete
      };
      // Whether the TCP connection it came on is closed.
      const state = socketState.get(req.socket) || { closed: false };
      Object.defineProperty(record, 'connectionClosed', {
        enumerable: true,
        get: () => state.closed,
      });
      const modelList = req.method === 'GET' && /\/models\/?$/.test(req.url.split('?')[0]);
      (modelList ? this.modelListRequests : this.requests).push(record);
      res.on('close', () => {
        record.closed = true;
        record.finished = res.writableFinished;
        record.aborted = !res.writableFinished;
      });
      const script = resolveScript(modelList ? this.modelList : this.pickScript(req, body));
      record.script = script;
      this.respond(req, res, record, script).catch((err) => {
        record.error = err;
        res.destroy();
      });
    });
  }

  async respond(req, res, record, script) {
    if (script.delayMs) {
      await this.sleep(script.delayMs);
      if (record.closed) {
        return;
      }
    }
    switch (script.fault) {
      case 'hang':
        return; // held until the client or close() drops it
      case 'close':
        req.socket.destroy();
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      default:
        break;
    }
    const status = script.status || 200;
    const headers = cleanHeaders(script.headers);
    if (script.text !== undefined) {
      await this.streamText(res, record, script, status, headers);
      return;
    }
    if (Array.isArray(script.chunks)) {
      await this.stream(req, res, record, script, status, headers);
      return;
    }
    let payload = '';
    if (typeof script.body === 'string') {
      payload = script.body;
    } else if (script.body !== undefined) {
      payload = JSON.stringify(script.body);
      if (!hasHeader(headers, 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    headers['content-length'] = Buffer.byteLength(payload);
    res.writeHead(status, headers);
    res.end(payload);
  }

  /** Writes `body` in pieces of 1..48 bytes cut by `seed`, 1 ms apart; false if closed. */
  async writeSplit(res, record, body, seed) {
    let state = seed >>> 0 || 1;
    const nextRandom = () => {
      // xorshift32: the same cut points for the same seed.
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state;
    };
    for (let at = 0; at < body.length; ) {
      const size = 1 + (nextRandom() % 48);
      if (record.closed) {
        return false;
      }
      await writeChunk(res, body.subarray(at, at + size));
      at += size;
      await this.sleep(1);
    }
    return true;
  }

  /** A stream whose body is the script's `text`, byte for byte. */
  async streamText(res, record, script, status, headers) {
    const pieces = Array.isArray(script.text) ? script.text : [script.text];
    if (!hasHeader(headers, 'content-type')) {
      headers['content-type'] = 'text/event-stream';
    }
    res.writeHead(status, headers);
    res.flushHeaders();
    if (script.splitSeed !== undefined) {
      const body = Buffer.from(pieces.join(''), 'utf8');
      if (!(await this.writeSplit(res, record, body, script.splitSeed))) {
        return;
      }
    } else {
      for (const entry of pieces) {
        const piece = await entry;
        if (record.closed) {
          return;
        }
        await writeChunk(res, piece);
        await this.sleep(5);
      }
    }
    res.end();
  }

  async stream(req, res, record, script, status, headers) {
    let chunks = [...script.chunks];
    const responses = script.sse ? script.sse === 'responses' : isResponsesStream(chunks);
    const done = script.done !== undefined ? script.done : !responses;
    const wantsUsage = Boolean(
      record.body && record.body.stream_options && record.body.stream_options.include_usage,
    );
    if (!responses && wantsUsage && script.nullUsage) {
      chunks = chunks.map((c) =>
        c && typeof c === 'object' && !('usage' in c) ? { ...c, usage: null } : c,
      );
    }
    if (
      !responses &&
      wantsUsage &&
      script.usage !== false &&
      !chunks.some((c) => c && typeof c === 'object' && c.usage)
    ) {
      const last = chunks.find((c) => c && typeof c === 'object') || {};
      chunks.push({
        id: last.id,
        object: 'chat.completion.chunk',
        created: last.created,
        model: last.model,
        choices: [],
        usage: script.usage || DEFAULT_USAGE,
      });
    }
    const events = chunks.map((chunk) => {
      const data = typeof chunk === 'string' ? chunk : JSON.stringify(chunk);
      if (responses && chunk && typeof chunk === 'object' && chunk.type) {
        return `event: ${chunk.type}\ndata: ${data}\n\n`;
      }
      return `data: ${data}\n\n`;
    });

    if (!hasHeader(headers, 'content-type')) {
      headers['content-type'] = 'text/event-stream';
    }
    headers['cache-control'] = 'no-cache';
    res.writeHead(status, headers);
    res.flushHeaders();

    if (script.splitSeed !== undefined && !script.fault) {
      const body = Buffer.from(events.join('') + (done ? 'data: [DONE]\n\n' : ''), 'utf8');
      if (await this.writeSplit(res, record, body, script.splitSeed)) {
        record.chunksSent = events.length;
        res.end();
      }
      return;
    }

    const faulty = script.fault === 'drop' || script.fault === 'stall';
    const count = faulty ? Math.min(events.length, script.afterChunks || 0) : events.length;
    for (let i = 0; i < count; i += 1) {
      if (script.chunkDelayMs) {
        await this.sleep(script.chunkDelayMs);
      }
      if (record.closed) {
        return;
      }
      // Wait until the chunk is handed to the socket, so that a 'drop' after it really
      // comes after it.
      await writeChunk(res, events[i]);
      record.chunksSent += 1;
    }
    if (script.fault === 'drop') {
      res.socket.destroy();
      return;
    }
    if (script.fault === 'stall') {
      return; // nothing more; the connection stays open
    }
    if (done) {
      res.write('data: [DONE]\n\n');
    }
    res.end();
  }
}

/** Start a fake upstream; resolves to it once it listens. */
async function startFakeUpstream() {
  return new FakeUpstream().start();
}

module.exports = { FakeUpstream, startFakeUpstream, fixture, loadFixture, FIXTURES_DIR };
