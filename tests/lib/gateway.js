'use strict';

// Runs the real gateway binary for the black-box tests, plus the small HTTP and SSE helpers
// the tests share.
//
//   const gw = await startGateway({ config: { providers: { … } } });
//   gw.baseURL      // http://127.0.0.1:<port>/api/v1
//   await gw.stop() // SIGTERM, resolves to { code, signal }
//
// The binary is `HADRIAN_BIN` (relative to the working directory) or `build/hadrian` under
// the repository root. It is started as `hadrian serve --config <file>` with the config
// written as TOML to a fresh temporary directory; `[server] host` and `port` are filled in
// (a free port picked beforehand) unless the test sets them.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = Number(process.env.HADRIAN_START_TIMEOUT_MS || 10_000);
const STOP_TIMEOUT_MS = Number(process.env.HADRIAN_STOP_TIMEOUT_MS || 20_000);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function binaryPath() {
  if (process.env.HADRIAN_BIN) {
    return path.resolve(process.cwd(), process.env.HADRIAN_BIN);
  }
  return path.join(REPO_ROOT, 'build', 'hadrian');
}

// ---------------------------------------------------------------------------------------
// Small utilities

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `predicate` until it returns a truthy value (returned) or `timeoutMs` passed. */
async function waitFor(
  predicate,
  { timeoutMs = 5000, intervalMs = 20, message = 'condition' } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await predicate();
      if (value) {
        return value;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------
// TOML

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function tomlKey(key) {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function tomlValue(value) {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`TOML: cannot write ${value}`);
    }
    return String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (Array.isArray(value)) {
    return `[${value.map(tomlValue).join(', ')}]`;
  }
  if (isPlainObject(value)) {
    const fields = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
    return `{ ${fields.join(', ')} }`;
  }
  throw new Error(`TOML: cannot write ${typeof value}`);
}

/**
 * TOML text of a plain object: nested objects become `[a.b]` tables, arrays of values
 * arrays, objects inside arrays inline tables. `undefined` values are left out.
 */
function toToml(config) {
  const lines = [];
  const emit = (keys, table) => {
    const entries = Object.entries(table).filter(([, v]) => v !== undefined);
    const values = entries.filter(([, v]) => !isPlainObject(v));
    const tables = entries.filter(([, v]) => isPlainObject(v));
    if (keys.length > 0 && (values.length > 0 || tables.length === 0)) {
      lines.push('', `[${keys.map(tomlKey).join('.')}]`);
    }
    for (const [k, v] of values) {
      lines.push(`${tomlKey(k)} = ${tomlValue(v)}`);
    }
    for (const [k, v] of tables) {
      emit([...keys, k], v);
    }
  };
  emit([], config);
  return `${lines.join('\n').trim()}\n`;
}

/** Deep merge of plain objects (`b` wins); arrays and values are replaced. */
function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b || {})) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k], v) : v;
  }
  return out;
}

/**
 * `[providers.NAME]` of an `open_ai` provider at `baseURL` (a fake upstream), without
 * retries or circuit breaker so that every test sees exactly one upstream attempt.
 */
function openAiProvider(baseURL, extra = {}) {
  return merge(
    {
      type: 'open_ai',
      base_url: baseURL,
      api_key: 'sk-test',
      retry: { max_retries: 0 },
      circuit_breaker: { enabled: false },
    },
    extra,
  );
}

/** `[providers.NAME]` of the built-in `test` provider (no retries, no circuit breaker). */
function testProvider(extra = {}) {
  return merge(
    { type: 'test', retry: { max_retries: 0 }, circuit_breaker: { enabled: false } },
    extra,
  );
}

// ---------------------------------------------------------------------------------------
// The gateway process

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

class Gateway {
  constructor({ child, port, dir, configPath, configText }) {
    this.child = child;
    this.port = port;
    this.dir = dir;
    this.configPath = configPath;
    this.configText = configText;
    this.log = [];
    this.logMark = 0;
    this.exitInfo = null;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        running.delete(child);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    const collect = (stream, name) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (text) => {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop();
        for (const line of lines) {
          this.log.push(`[${name}] ${line}`);
        }
      });
      stream.on('end', () => {
        if (partial) {
          this.log.push(`[${name}] ${partial}`);
        }
      });
    };
    collect(child.stdout, 'stdout');
    collect(child.stderr, 'stderr');
  }

  /** `http://127.0.0.1:<port>` */
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:<port>/api/v1` */
  get baseURL() {
    return `${this.url}/api/v1`;
  }

  get pid() {
    return this.child.pid;
  }

  get running() {
    return this.exitInfo === null;
  }

  /** Everything the process printed so far, one line each, prefixed by the stream. */
  output() {
    return this.log.join('\n');
  }

  /**
   * The output once it matches `re` (the access log is written in batches, every 50 ms);
   * the output as it is after `timeoutMs` otherwise, for the caller's assertion to show.
   */
  async outputMatching(re, timeoutMs = 3000) {
    const end = Date.now() + timeoutMs;
    while (!re.test(this.output()) && Date.now() < end) {
      await sleep(20);
    }
    return this.output();
  }

  /**
   * For `afterEach((t) => gw.reportIfFailed(t))`: print what the gateway logged during a
   * failed test (after a moment, so that its last lines are in).
   */
  async reportIfFailed(t) {
    if (t && t.passed === false) {
      await sleep(200);
    }
    const lines = this.log.slice(this.logMark);
    this.logMark = this.log.length;
    if (t && t.passed === false) {
      const exited = this.exitInfo ? ` (exited: ${JSON.stringify(this.exitInfo)})` : '';
      console.error(
        `--- gateway output during "${t.name}"${exited} ---\n${lines.join('\n')}\n--- end ---`,
      );
    }
  }

  /** Send a signal without waiting. */
  kill(signal = 'SIGTERM') {
    if (this.running) {
      this.child.kill(signal);
    }
  }

  /**
   * Stop with `signal` and wait for the exit; SIGKILL (and an error) when it takes longer
   * than `timeoutMs`. Resolves to `{ code, signal }`.
   */
  async stop({ signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS } = {}) {
    if (!this.running) {
      return this.exitInfo;
    }
    this.child.kill(signal);
    let timer;
    const timedOut = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const info = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (info === null) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`gateway did not exit within ${timeoutMs} ms of ${signal}\n${this.output()}`);
    }
    return info;
  }

  /** Stop (ignoring the outcome) and remove the temporary directory. */
  async dispose() {
    try {
      await this.stop();
    } catch {
      // reported by whoever cares about the exit
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** fetch() relative to the gateway origin (`/api/v1/models`). */
  fetch(pathname, init) {
    return fetch(`${this.url}${pathname}`, init);
  }

  /** POST a JSON body (a string is sent as is); resolves to `{ status, headers, text, json }`. */
  post(pathname, body, { headers = {}, signal } = {}) {
    return request(`${this.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal,
    });
  }

  /** GET; resolves to `{ status, headers, text, json }`. */
  get(pathname, { headers = {}, signal } = {}) {
    return request(`${this.url}${pathname}`, { method: 'GET', headers, signal });
  }
}

/**
 * Start the gateway with `config` (a plain object written as TOML; `server.host`/`port`
 * default to 127.0.0.1 and a free port, `server.threads` to 2) and wait until
 * `GET /health/live` answers 200.
 */
async function startGateway({ config = {}, env = {}, startTimeoutMs = START_TIMEOUT_MS } = {}) {
  const bin = binaryPath();
  if (!fs.existsSync(bin)) {
    throw new Error(`gateway binary not found at ${bin}: build it, or set HADRIAN_BIN`);
  }
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = config.server && config.server.port ? config.server.port : await freePort();
    const full = merge({ server: { host: '127.0.0.1', port, threads: 2 } }, config);
    try {
      return await launch(bin, full, env, startTimeoutMs);
    } catch (err) {
      lastError = err;
      // Someone took the port between our probe and the bind: try another one.
      if (!/address (already )?in use|EADDRINUSE/i.test(err.message)) {
        throw err;
      }
    }
  }
  throw lastError;
}

async function launch(bin, config, env, startTimeoutMs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-test-'));
  const configPath = path.join(dir, 'hadrian.toml');
  const configText = toToml(config);
  fs.writeFileSync(configPath, configText);
  const child = spawn(bin, ['serve', '--config', configPath], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const spawnError = new Promise((resolve) => child.once('error', resolve));
  const gw = new Gateway({ child, port: config.server.port, dir, configPath, configText });

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    // Adopt the address the gateway says it listens on, should it differ.
    const announced = gw.log
      .map((line) =>
        /listening on (?:https?:\/\/)?(?:127\.0\.0\.1|localhost|0\.0\.0\.0):(\d+)/i.exec(line),
      )
      .find(Boolean);
    if (announced) {
      gw.port = Number(announced[1]);
    }
    const failed = await Promise.race([spawnError, sleep(0).then(() => null)]);
    if (failed) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`could not start ${bin}: ${failed.message}`);
    }
    if (!gw.running) {
      const text =
        `gateway exited during startup ${JSON.stringify(gw.exitInfo)}\n` +
        `config:\n${configText}\noutput:\n${gw.output()}`;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(text);
    }
    try {
      const res = await fetch(`${gw.url}/health/live`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        gw.logMark = gw.log.length;
        return gw;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() >= deadline) {
      await gw.dispose();
      throw new Error(
        `gateway not live after ${startTimeoutMs} ms\nconfig:\n${configText}\noutput:\n${gw.output()}`,
      );
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP helpers

/** fetch(), then read the whole body: `{ status, headers, text, json }` (json: undefined if not JSON). */
async function request(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Assert an error answer in the gateway's shape
 * `{"error":{"type","code","message","param","request_id"}}`.
 */
function assertError(res, { status, code, type, param } = {}) {
  const where = `status ${res.status}, body ${res.text}`;
  if (status !== undefined) {
    assert.equal(res.status, status, `expected status ${status}: ${where}`);
  }
  assert.match(res.headers.get('content-type') || '', /application\/json/, `not JSON: ${where}`);
  assert.ok(res.json && isPlainObject(res.json.error), `no error object: ${where}`);
  const err = res.json.error;
  for (const key of ['type', 'code', 'message', 'param', 'request_id']) {
    assert.ok(key in err, `error.${key} missing: ${where}`);
  }
  assert.equal(typeof err.message, 'string', where);
  assert.ok(err.message.length > 0, `empty message: ${where}`);
  assert.equal(typeof err.type, 'string', where);
  assert.equal(typeof err.request_id, 'string', where);
  const requestId = res.headers.get('x-request-id');
  if (requestId) {
    assert.equal(err.request_id, requestId, `error.request_id differs from X-Request-Id: ${where}`);
  }
  if (code !== undefined) {
    assert.equal(err.code, code, `expected code ${code}: ${where}`);
  }
  if (type !== undefined) {
    assert.equal(err.type, type, `expected type ${type}: ${where}`);
  }
  if (param !== undefined) {
    assert.equal(err.param, param, `expected param ${param}: ${where}`);
  }
  assert.ok(err.request_id.length > 0, `error.request_id is empty: ${where}`);
  assert.ok(requestId, `no X-Request-Id header on the error: ${where}`);
  return err;
}

// ---------------------------------------------------------------------------------------
// Server-sent events

/** Incremental SSE parser: `push(text)` returns the events completed by it. */
class SseParser {
  constructor() {
    this.buffer = '';
    this.event = null;
    this.data = [];
  }

  push(text) {
    this.buffer += text;
    const out = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) {
        break;
      }
      const line = this.buffer.slice(0, nl);
      const skip = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + skip);
      if (line === '') {
        if (this.data.length > 0 || this.event !== null) {
          out.push(makeEvent(this.event, this.data.join('\n')));
        }
        this.event = null;
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (field === 'event') {
        this.event = value;
      } else if (field === 'data') {
        this.data.push(value);
      }
    }
    return out;
  }
}

function makeEvent(event, data) {
  let json;
  if (data !== '[DONE]') {
    try {
      json = JSON.parse(data);
    } catch {
      json = undefined;
    }
  }
  return { event, data, json, done: data === '[DONE]' };
}

/** All events of an SSE text. */
function parseSse(text) {
  const parser = new SseParser();
  return parser.push(text.endsWith('\n\n') ? text : `${text}\n\n`);
}

/** Async iterator over the SSE events of a fetch() response body. */
async function* sseEvents(response) {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}

/**
 * POST a JSON body and read the whole SSE answer:
 * `{ status, headers, events, text, error }`; `error` is set when the body broke off
 * (connection reset), the events read until then are kept. A non-SSE answer has `text`.
 */
async function postSse(url, body, { headers = {}, signal } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const out = { status: res.status, headers: res.headers, events: [], text: '', error: null };
  if (!/text\/event-stream/.test(res.headers.get('content-type') || '')) {
    out.text = await res.text();
    try {
      out.json = JSON.parse(out.text);
    } catch {
      out.json = undefined;
    }
    return out;
  }
  try {
    for await (const event of sseEvents(res)) {
      out.events.push(event);
    }
  } catch (err) {
    out.error = err;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Raw TCP

/**
 * Send `data` on a new TCP connection and collect the answer until the server closes the
 * connection, a whole response (status line, headers, Content-Length body) arrived, or
 * `timeoutMs` passed. Resolves to `{ status, headers, body, raw, closed, timedOut, error }`
 * (`status` null when nothing parseable came back).
 */
function rawHttp(port, data, { timeoutMs = 5000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let raw = Buffer.alloc(0);
    let settled = false;
    const finish = (extra) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseRawResponse(raw), raw: raw.toString('latin1'), ...extra });
    };
    const timer = setTimeout(
      () => finish({ closed: false, timedOut: true, error: null }),
      timeoutMs,
    );
    socket.on('connect', () => {
      if (data) {
        socket.write(data);
      }
    });
    socket.on('data', (part) => {
      raw = Buffer.concat([raw, part]);
      const parsed = parseRawResponse(raw);
      if (parsed.complete) {
        finish({ closed: false, timedOut: false, error: null });
      }
    });
    socket.on('error', (error) => finish({ closed: true, timedOut: false, error }));
    socket.on('close', () => finish({ closed: true, timedOut: false, error: null }));
  });
}

function parseRawResponse(raw) {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) {
    return { status: null, headers: {}, body: '', complete: false };
  }
  const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine);
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  const body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const length = headers['content-length'] !== undefined ? Number(headers['content-length']) : null;
  return {
    status: match ? Number(match[1]) : null,
    headers,
    body: body.toString('utf8'),
    complete: length !== null && body.length >= length,
  };
}

module.exports = {
  Gateway,
  REPO_ROOT,
  SseParser,
  UUID_RE,
  assertError,
  binaryPath,
  freePort,
  merge,
  openAiProvider,
  parseSse,
  postSse,
  rawHttp,
  request,
  sleep,
  sseEvents,
  startGateway,
  testProvider,
  toToml,
  waitFor,
};
