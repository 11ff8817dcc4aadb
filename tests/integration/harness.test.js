'use strict';

// Self-test of the harness helpers (no gateway involved): TOML writing and SSE parsing.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { SseParser, openAiProvider, parseSse, toToml } = require('../lib/gateway');

test('toToml writes tables, quoted keys, strings, numbers, booleans and arrays', () => {
  const text = toToml({
    server: { host: '127.0.0.1', port: 8080, threads: 2 },
    providers: {
      default_provider: 'openai',
      openai: openAiProvider('http://127.0.0.1:1/v1', {
        headers: { 'X-Title': 'a "quoted" \\ value' },
        allowed_models: ['gpt-4o-mini', 'gpt-4o'],
        models: { 'gpt-4.1-mini': { input_per_1m_tokens: 15, output_per_1m_tokens: 60 } },
      }),
    },
    skipped: undefined,
  });
  assert.equal(
    text,
    [
      '[server]',
      'host = "127.0.0.1"',
      'port = 8080',
      'threads = 2',
      '',
      '[providers]',
      'default_provider = "openai"',
      '',
      '[providers.openai]',
      'type = "open_ai"',
      'base_url = "http://127.0.0.1:1/v1"',
      'api_key = "sk-test"',
      'allowed_models = ["gpt-4o-mini", "gpt-4o"]',
      '',
      '[providers.openai.retry]',
      'max_retries = 0',
      '',
      '[providers.openai.circuit_breaker]',
      'enabled = false',
      '',
      '[providers.openai.headers]',
      'X-Title = "a \\"quoted\\" \\\\ value"',
      '',
      '[providers.openai.models."gpt-4.1-mini"]',
      'input_per_1m_tokens = 15',
      'output_per_1m_tokens = 60',
      '',
    ].join('\n'),
  );
});

test('SSE parser: events split across pushes, CRLF, comments, multi-line data', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: {"a"'), []);
  const first = parser.push(':1}\r\n\r\n: keep-alive\r\n\r\nevent: response.created\n');
  assert.equal(first.length, 1);
  assert.deepEqual(first[0].json, { a: 1 });
  assert.equal(first[0].event, null);
  const second = parser.push('data: {"type":\ndata: "response.created"}\n\ndata: [DONE]\n\n');
  assert.equal(second.length, 2);
  assert.equal(second[0].event, 'response.created');
  assert.deepEqual(second[0].json, { type: 'response.created' });
  assert.equal(second[1].done, true);
  assert.equal(parseSse('data: x').length, 1);
});
