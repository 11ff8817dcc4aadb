'use strict';

// GET /metrics: Prometheus text with request counts, durations and the gateway's overhead;
// the access log line carries the overhead too.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startFakeUpstream } = require('../fakes/fake_upstream');
const { openAiProvider, postSse, startGateway, waitFor } = require('../lib/gateway');

let fake;
let gw;

before(async () => {
  fake = await startFakeUpstream();
  gw = await startGateway({
    config: {
      providers: {
        default_provider: 'up',
        up: openAiProvider(fake.baseURL, { fetch_models: false }),
      },
    },
  });
});

after(async () => {
  await gw?.dispose();
  await fake?.close();
});

/** The value of one sample line (`name{labels} value`) in a Prometheus text body. */
function sample(text, line) {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

test('/metrics counts requests and measures overhead apart from upstream time', async () => {
  fake.setDefault({ fixture: 'openai/chat_completion_success.json', delayMs: 300 });
  const messages = [{ role: 'user', content: 'Hello' }];
  for (let i = 0; i < 3; i++) {
    const res = await gw.post('/api/v1/chat/completions', { model: 'gpt-4o', messages });
    assert.equal(res.status, 200, res.text);
  }
  fake.setDefault({ fixture: 'openai/chat_completion_streaming.json', chunkDelayMs: 20 });
  const stream = await postSse(`${gw.baseURL}/chat/completions`, {
    model: 'gpt-4o',
    messages,
    stream: true,
  });
  assert.equal(stream.status, 200);
  assert.equal((await gw.post('/api/v1/nowhere', {})).status, 404);

  // A request is counted just after its answer was written: with several I/O threads the
  // /metrics read may come first, so wait until all of them are in.
  const res = await waitFor(
    async () => {
      const r = await gw.get('/metrics');
      const counted =
        sample(r.text, 'hadrian_streams_total') === 1 &&
        sample(r.text, 'hadrian_requests_total{status_class="4xx"}') === 1 &&
        sample(r.text, 'hadrian_gateway_overhead_seconds_count{kind="model"}') === 4;
      return counted ? r : null;
    },
    { message: 'the requests to be counted' },
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = res.text;
  // 2xx also counts the harness's /health polls and the /metrics reads before this one.
  assert.ok(sample(text, 'hadrian_requests_total{status_class="2xx"}') >= 4);
  assert.equal(sample(text, 'hadrian_requests_total{status_class="4xx"}'), 1);
  const modelCount = sample(text, 'hadrian_gateway_overhead_seconds_count{kind="model"}');
  assert.equal(modelCount, 4);
  // Each non-streaming answer waited 300 ms upstream; the overhead excludes that wait.
  const durationSum = sample(text, 'hadrian_request_duration_seconds_sum');
  const overheadSum = sample(text, 'hadrian_gateway_overhead_seconds_sum{kind="model"}');
  assert.ok(durationSum >= 0.9, `duration sum ${durationSum}`);
  assert.ok(overheadSum < 0.5, `overhead sum ${overheadSum} excludes the upstream's 0.9 s+`);
  assert.equal(sample(text, 'hadrian_gateway_overhead_seconds_bucket{kind="model",le="+Inf"}'), 4);
  assert.equal(sample(text, 'hadrian_tokens_total{direction="input"}') > 0, true);
  assert.equal(sample(text, 'hadrian_provider_requests_in_flight{provider="up"}'), 0);
  assert.equal(sample(text, 'hadrian_provider_circuit_open{provider="up"}'), 0);
  assert.ok(sample(text, 'process_resident_memory_bytes') > 1_000_000);
  assert.ok(sample(text, 'process_open_fds') > 0);
  // Every family is announced once, before its samples.
  const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
  assert.equal(new Set(types).size, types.length);

  const accessLine = /path=\/api\/v1\/chat\/completions status=200 latency_ms=\d+\.\d+ overhead_ms=\d+\.\d+/;
  assert.match(await gw.outputMatching(accessLine), accessLine);
});

test('/metrics answers GET only', async () => {
  const res = await gw.post('/metrics', {});
  assert.equal(res.status, 405);
});

test('JSON logs: one access line per request, an object with the request fields', async () => {
  const jsonGw = await startGateway({
    config: {
      observability: { logging: { format: 'json' } },
      providers: {
        default_provider: 'up',
        up: openAiProvider(fake.baseURL, { fetch_models: false }),
      },
    },
  });
  try {
    fake.setDefault({ fixture: 'openai/chat_completion_success.json' });
    const messages = [{ role: 'user', content: 'Hello' }];
    const res = await jsonGw.post('/api/v1/chat/completions', { model: 'gpt-4o', messages });
    assert.equal(res.status, 200, res.text);
    const requestId = res.headers.get('x-request-id');
    const marker = `"request_id":"${requestId}"`;
    const output = await jsonGw.outputMatching(new RegExp(marker));
    const line = output.split('\n').find((l) => l.includes(marker));
    assert.ok(line, output);
    const entry = JSON.parse(line.slice(line.indexOf('{')));
    assert.match(entry.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(Math.abs(Date.parse(entry.ts) - Date.now()) < 60_000, entry.ts);
    assert.equal(entry.level, 'info');
    assert.equal(entry.module, 'access');
    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, '/api/v1/chat/completions');
    assert.equal(entry.status, 200);
    assert.equal(entry.provider, 'up');
    assert.equal(entry.streamed, false);
    assert.ok(entry.input_tokens > 0 && entry.output_tokens > 0, line);
    assert.ok(entry.latency_ms >= entry.overhead_ms && entry.overhead_ms >= 0, line);
    assert.equal(entry.client_ip, '127.0.0.1');
  } finally {
    await jsonGw.dispose();
  }
});
