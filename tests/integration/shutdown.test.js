'use strict';

// Graceful shutdown: on SIGTERM the gateway stops taking new work, lets an open stream
// finish, and exits 0.

const { test, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');

const { sseEvents, startGateway, testProvider, waitFor } = require('../lib/gateway');

const CHUNKS = 30;
const TEXT = Array.from({ length: CHUNKS }, (_, i) => `w${i} `).join('');

const gateways = [];
let gw;

async function start(config) {
  gw = await startGateway({ config });
  gateways.push(gw);
  return gw;
}

after(async () => {
  for (const g of gateways) {
    await g.dispose();
  }
});

afterEach(async (t) => {
  if (gw) {
    await gw.reportIfFailed(t);
  }
});

/** GET on a fresh connection: `{ status }`, or `{ error }` when it cannot connect. */
function freshGet(port, path) {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (error) => resolve({ status: res.statusCode, error }));
      },
    );
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error }));
  });
}

test('SIGTERM during a stream: the stream completes, new work is refused, exit 0', async () => {
  await start({
    server: { shutdown_timeout_secs: 15 },
    providers: {
      default_provider: 'test',
      test: testProvider({ response_text: TEXT, chunk_count: CHUNKS, chunk_delay_ms: 100 }),
    },
  });

  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'test/slow',
      messages: [{ role: 'user', content: 'Take your time.' }],
      stream: true,
    }),
  });
  assert.equal(res.status, 200);

  const events = [];
  let streamEnded = false;
  let signalled = false;
  let drainSeenWhileStreaming = null;
  const reading = (async () => {
    for await (const event of sseEvents(res)) {
      events.push(event);
      if (!signalled && event.json && event.json.choices) {
        signalled = true;
        gw.kill('SIGTERM');
      }
    }
    streamEnded = true;
  })();

  await waitFor(() => signalled, { timeoutMs: 10_000, message: 'the first chunk' });

  // While the stream is still open, new work is turned away: the listener is closed
  // (connection refused) or readiness says 503.
  const drained = await waitFor(
    async () => {
      const probe = await freshGet(gw.port, '/health/ready');
      if (probe.error || probe.status === 503) {
        return probe;
      }
      return null;
    },
    { timeoutMs: 2000, intervalMs: 50, message: 'refused connections or /health/ready 503' },
  );
  drainSeenWhileStreaming = !streamEnded;
  assert.ok(drained);
  assert.ok(drainSeenWhileStreaming, 'the drain was observable while the stream was open');

  await reading;
  assert.equal(events.at(-1).data, '[DONE]', 'the open stream runs to its end');
  assert.ok(!events.some((e) => e.json && e.json.error), 'no error event');
  const text = events
    .filter((e) => e.json && e.json.choices)
    .flatMap((e) => e.json.choices)
    .map((c) => (c.delta && c.delta.content) || '')
    .join('');
  assert.equal(text, TEXT);

  const exit = await Promise.race([
    gw.exited,
    new Promise((resolve) => setTimeout(() => resolve(null), 15_000)),
  ]);
  assert.ok(exit, 'the gateway exits after the drain');
  assert.deepEqual(exit, { code: 0, signal: null }, gw.output());
});

test('SIGTERM when idle: exits 0 promptly', async () => {
  await start({ providers: { default_provider: 'test', test: testProvider() } });
  const started = Date.now();
  const exit = await gw.stop({ timeoutMs: 10_000 });
  assert.deepEqual(exit, { code: 0, signal: null }, gw.output());
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});
