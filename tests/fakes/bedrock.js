'use strict';

// A fake AWS Bedrock runtime (Converse / ConverseStream) for the black-box tests.
//
//   const fake = await startFakeBedrock({ secrets: { AKIDEXAMPLE: 'secret…' } });
//   fake.enqueue({ fixture: 'converse_streaming.json' }); // bedrock/… under tests/fixtures
//   // provider config: { type: 'bedrock', base_url: fake.url, credentials: … }
//   fake.requests // [{ method, url, headers, body, sig }]
//
// Every request is recorded with `sig`, the result of recomputing its SigV4 signature with
// node:crypto from `secrets` (access key id → secret key), and answered by the next queued
// script (a 500 when the queue is empty):
//   fixture  a `bedrock/*.json` file: its body as JSON, or its `events` encoded as binary
//            event-stream frames, written in random slices (a PRNG seeded 1, 2, … per
//            request, so a failing split can be reproduced)
//   frames   Buffers sent instead of the fixture's events (see eventFrame/exceptionFrame)
//   fault    'close': destroy the connection after the frames instead of ending the body
//
// The frame encoding, the signature check and the PRNG are exported for the tests.

const crypto = require('node:crypto');
const http = require('node:http');

const { fixture } = require('./fake_upstream');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// AWS event-stream framing: prelude (total length, headers length, CRC32), headers,
// payload, CRC32 of the whole message

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    let c = i;
    for (let k = 0; k < 8; k += 1) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One message with string headers (`[[name, value], …]`) and a payload. */
function encodeMessage(headers, payload) {
  const headerBytes = Buffer.concat(
    headers.map(([name, value]) => {
      const n = Buffer.from(name);
      const v = Buffer.from(value);
      const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      h[0] = n.length;
      n.copy(h, 1);
      h[1 + n.length] = 7; // string
      h.writeUInt16BE(v.length, 2 + n.length);
      v.copy(h, 4 + n.length);
      return h;
    }),
  );
  const body = Buffer.from(payload);
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(12 + headerBytes.length + body.length + 4, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const message = Buffer.concat([prelude, headerBytes, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(message));
  return Buffer.concat([message, crc]);
}

/** An `event` message of this type with a JSON payload. */
function eventFrame(type, payload) {
  return encodeMessage(
    [
      [':event-type', type],
      [':content-type', 'application/json'],
      [':message-type', 'event'],
    ],
    JSON.stringify(payload),
  );
}

/** An `exception` message (as Bedrock sends mid-stream) with `{ message }`. */
function exceptionFrame(type, message) {
  return encodeMessage(
    [
      [':exception-type', type],
      [':content-type', 'application/json'],
      [':message-type', 'exception'],
    ],
    JSON.stringify({ message }),
  );
}

// ---------------------------------------------------------------------------------------
// SigV4, recomputed independently of the gateway

function uriEncode(text, keepSlash) {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) {
      out += c;
    } else {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

/**
 * Checks the Authorization header of `req` (raw body `body`) against `secrets` (access key
 * id → secret key): `{ ok, why, accessKey, region, service, signedHeaders }`.
 */
function verifySigV4(req, body, secrets) {
  const auth = req.headers.authorization || '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) {
    return { ok: false, why: `Authorization has the wrong shape: ${auth}` };
  }
  const [, accessKey, day, region, service, signedHeaders, signature] = m;
  const secret = secrets[accessKey];
  const amzDate = req.headers['x-amz-date'] || '';
  const info = { accessKey, region, service, signedHeaders: signedHeaders.split(';') };
  if (!secret) {
    return { ...info, ok: false, why: `unknown access key ${accessKey}` };
  }
  if (!amzDate.startsWith(day)) {
    return { ...info, ok: false, why: `x-amz-date ${amzDate} is not of day ${day}` };
  }
  const [rawPath, query = ''] = req.url.split('?');
  // Non-S3 services: the path as sent, each segment URI-encoded once more.
  const canonicalHeaders = info.signedHeaders
    .map((name) => `${name}:${String(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [
    req.method,
    uriEncode(rawPath, true),
    query,
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, 'aws4_request']) {
    key = hmac(key, part);
  }
  const expected = hmac(key, toSign).toString('hex');
  return { ...info, ok: expected === signature, why: `signature mismatch over:\n${canonical}` };
}

// ---------------------------------------------------------------------------------------
// The fake

/** Deterministic PRNG (mulberry32) in [0, 1), so that a failing split can be reproduced. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `bytes` in random slices of 1–97 bytes, pausing now and then so reads split too. */
async function writeInPieces(res, bytes, random) {
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * 97);
    res.write(bytes.subarray(at, at + size));
    at += size;
    if (random() < 0.3) {
      await sleep(1);
    }
  }
}

/** The frames of a recorded `bedrock/*.json` stream fixture (its first `count` events). */
function fixtureFrames(name, count) {
  return fixture(`bedrock/${name}`)
    .response.events.slice(0, count)
    .map((e) => eventFrame(e.event_type, e.payload));
}

async function serve(script, res, random) {
  const f = fixture(`bedrock/${script.fixture}`);
  const headers = { ...f.response.headers };
  delete headers['transfer-encoding'];
  if (!f.response.streaming) {
    res.writeHead(f.response.status, headers);
    res.end(JSON.stringify(f.response.body));
    return;
  }
  headers['content-type'] = 'application/vnd.amazon.eventstream';
  res.writeHead(f.response.status, headers);
  const frames = script.frames || fixtureFrames(script.fixture);
  await writeInPieces(res, Buffer.concat(frames), random);
  if (script.fault === 'close') {
    res.destroy();
    return;
  }
  res.end();
}

/** Start the fake on 127.0.0.1 (a free port); resolves once it listens. */
async function startFakeBedrock({ secrets = {} } = {}) {
  const state = { requests: [], queue: [], seed: 1 };
  const server = http.createServer((req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      state.requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body,
        sig: verifySigV4(req, raw, secrets),
      });
      const script = state.queue.shift();
      if (!script) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'no script' }));
        return;
      }
      serve(script, res, prng(state.seed++)).catch(() => res.destroy());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    enqueue(script) {
      state.queue.push(script);
    },
    reset() {
      state.requests.length = 0;
      state.queue.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = {
  crc32,
  encodeMessage,
  eventFrame,
  exceptionFrame,
  fixtureFrames,
  prng,
  startFakeBedrock,
  verifySigV4,
  writeInPieces,
};
