'use strict';

// Connection-level limits: a client that never finishes its header (slow-loris) is cut off
// after `header_read_timeout_secs` without holding up anyone else; a header section over
// `max_header_bytes` is a 431.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');

const { rawHttp, startGateway, testProvider, waitFor } = require('../lib/gateway');

const TEXT = 'Limits answer from the test provider.';

let gw;

before(async () => {
  gw = await startGateway({
    config: {
      server: { header_read_timeout_secs: 1, max_header_bytes: 8192 },
      providers: {
        default_provider: 'test',
        test: testProvider({ response_text: TEXT }),
      },
    },
  });
});

after(async () => {
  if (gw) {
    await gw.dispose();
  }
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

const PARTIAL = 'POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty';

function assertCutOff(result, elapsed) {
  assert.ok(!result.timedOut, `the gateway neither answered nor closed (waited ${elapsed} ms)`);
  if (result.status !== null) {
    assert.equal(result.status, 408, `raw answer: ${result.raw}`);
  } else {
    assert.ok(result.closed, 'closed without an answer');
  }
  assert.ok(elapsed >= 500, `cut off after ${elapsed} ms, before the 1 s header timeout`);
  assert.ok(elapsed < 4000, `cut off after ${elapsed} ms, long after the 1 s header timeout`);
}

test('slow-loris: a partial header gets 408 or a close, others are served meanwhile', async () => {
  const started = Date.now();
  const slow = rawHttp(gw.port, PARTIAL, { timeoutMs: 8000 });

  const live = await gw.get('/health/live');
  assert.equal(live.status, 200);
  const chat = await gw.post('/api/v1/chat/completions', {
    model: 'test/any',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(chat.status, 200, chat.text);
  assert.equal(chat.json.choices[0].message.content, TEXT);

  const result = await slow;
  assertCutOff(result, Date.now() - started);
});

test('slow-loris: many partial headers at once do not starve the server', async () => {
  const started = Date.now();
  const slow = Array.from({ length: 20 }, () => rawHttp(gw.port, PARTIAL, { timeoutMs: 8000 }));

  for (let i = 0; i < 5; i += 1) {
    const live = await gw.get('/health/live', { signal: AbortSignal.timeout(2000) });
    assert.equal(live.status, 200);
  }

  const results = await Promise.all(slow);
  const elapsed = Date.now() - started;
  for (const result of results) {
    assertCutOff(result, elapsed);
  }
});

test('slow-loris: a header trickled byte by byte is cut off by the total header time', async () => {
  const socket = net.connect({ port: gw.port, host: '127.0.0.1' });
  let raw = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (text) => {
    raw += text;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  const started = Date.now();
  const header = `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'z'.repeat(200)}`;
  let i = 0;
  const trickle = setInterval(() => {
    if (!closed && i < header.length) {
      socket.write(header[i]);
      i += 1;
    }
  }, 150);
  try {
    await waitFor(() => closed || /^HTTP\/1\.1 \d{3}/.test(raw), {
      timeoutMs: 6000,
      message: 'the gateway to give up on the trickling header',
    });
  } finally {
    clearInterval(trickle);
    socket.destroy();
  }
  const elapsed = Date.now() - started;
  if (raw) {
    assert.match(raw, /^HTTP\/1\.1 408/, raw);
  }
  assert.ok(elapsed < 4000, `cut off after ${elapsed} ms with a 1 s header timeout`);
});

test('a header section over max_header_bytes is a 431', async () => {
  const big = `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`;
  const one = await rawHttp(gw.port, big, { timeoutMs: 5000 });
  assert.equal(one.status, 431, `raw answer: ${one.raw || one.error}`);

  const headers = Array.from({ length: 100 }, (_, i) => `X-Many-${i}: ${'b'.repeat(100)}\r\n`).join(
    '',
  );
  const many = await rawHttp(
    gw.port,
    `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`,
    {
      timeoutMs: 5000,
    },
  );
  assert.equal(many.status, 431, `raw answer: ${many.raw || many.error}`);

  const fine = await gw.get('/health/live');
  assert.equal(fine.status, 200);
});

test('a header section under max_header_bytes is served', async () => {
  const res = await gw.get('/health/live', { headers: { 'x-medium': 'c'.repeat(4096) } });
  assert.equal(res.status, 200);
});
