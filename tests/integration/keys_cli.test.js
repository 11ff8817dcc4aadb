'use strict';

// `hadrian keys create|list|revoke --config FILE` against the database file a gateway uses:
// the command needs no running gateway, and what it writes the gateway honours.
//
// The command runs from the gateway binary (`HADRIAN_BIN`, else build/hadrian);
// `HADRIAN_KEYS_BIN` points it at another binary that understands `keys …`.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { assertError, binaryPath, startGateway, testProvider, toToml } = require('../lib/gateway');

const BOOTSTRAP = `bootstrap-${crypto.randomBytes(16).toString('hex')}`;
const admin = { 'X-API-Key': BOOTSTRAP };
const chatBody = { model: 'test-model', messages: [{ role: 'user', content: 'hi' }] };

let dir;
let dbPath;
let configPath;

function gatewayConfig(database = { type: 'sqlite', path: dbPath }) {
  return {
    database,
    auth: { mode: { type: 'api_key' }, bootstrap: { api_key: BOOTSTRAP } },
    providers: { default_provider: 'test', test: testProvider() },
  };
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-keys-cli-'));
  dbPath = path.join(dir, 'hadrian.db');
  configPath = path.join(dir, 'hadrian.toml');
  fs.writeFileSync(configPath, toToml(gatewayConfig()));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function keysBinary() {
  if (process.env.HADRIAN_KEYS_BIN) {
    return path.resolve(process.cwd(), process.env.HADRIAN_KEYS_BIN);
  }
  return binaryPath();
}

/** `hadrian keys <args> --config <file>`: `{ code, stdout, stderr }`. */
function keys(args, { config = configPath } = {}) {
  const full = config ? ['keys', ...args, '--config', config] : ['keys', ...args];
  const r = spawnSync(keysBinary(), full, { encoding: 'utf8', timeout: 30_000, cwd: dir });
  if (r.error) {
    throw r.error;
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function create(args) {
  const r = keys(['create', ...args]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^gw_live_[A-Za-z0-9_-]{43}$/, 'the raw key alone on the first line');
  assert.match(lines[1], /^key_[0-9a-z]{26}$/, 'the id on the second line');
  return { key: lines[0], id: lines[1] };
}

function chat(gw, key) {
  return gw.post('/api/v1/chat/completions', chatBody, {
    headers: { Authorization: `Bearer ${key}` },
  });
}

test('keys --help prints the usage without a configuration', () => {
  const r = keys(['--help'], { config: null });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /hadrian keys create --name NAME/);
  assert.match(r.stdout, /hadrian keys list/);
  assert.match(r.stdout, /hadrian keys revoke ID/);
});

test('a key created by the command works on the gateway, with its settings', async () => {
  const name = "ops'); DROP TABLE api_keys; --";
  const made = create([
    '--name', name, '--rpm', '120', '--tpd', '50000', '--concurrent', '3',
    '--budget-cents', '900', '--period', 'daily', '--scopes', 'chat,models',
    '--models', 'test-*', '--ips', '127.0.0.1/32,::1', '--expires', '2099-06-01T00:00:00Z',
  ]);
  const gw = await startGateway({ config: gatewayConfig() });
  try {
    const res = await chat(gw, made.key);
    assert.equal(res.status, 200, res.text);
    const got = await gw.get(`/admin/v1/api-keys/${made.id}`, { headers: admin });
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.name, name);
    assert.deepEqual(got.json.scopes, ['chat', 'models']);
    assert.deepEqual(got.json.allowed_models, ['test-*']);
    assert.deepEqual(got.json.ip_allowlist, ['127.0.0.1/32', '::1/128']);
    assert.equal(got.json.rate_limit_rpm, 120);
    assert.equal(got.json.rate_limit_tpd, 50000);
    assert.equal(got.json.concurrent_requests, 3);
    assert.equal(got.json.budget_limit_cents, 900);
    assert.equal(got.json.budget_period, 'daily');
    assert.equal(got.json.expires_at, '2099-06-01T00:00:00Z');
    assert.equal(got.json.key_prefix, made.key.slice(0, 12));
  } finally {
    await gw.dispose();
  }
});

test('list shows keys made by the command and by the admin API', async () => {
  const made = create(['--name', 'cli-listed']);
  const gw = await startGateway({ config: gatewayConfig() });
  let viaApi;
  try {
    const res = await gw.post('/admin/v1/api-keys', { name: 'api-listed' }, { headers: admin });
    assert.equal(res.status, 201, res.text);
    viaApi = res.json;
  } finally {
    await gw.dispose();
  }
  const r = keys(['list']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^ID\s+NAME\s+PREFIX\s+SCOPES\s+CREATED\s+REVOKED$/);
  const cliLine = lines.find((l) => l.startsWith(made.id));
  assert.ok(cliLine, r.stdout);
  assert.match(cliLine, /cli-listed/);
  assert.ok(cliLine.includes(made.key.slice(0, 12)));
  assert.match(cliLine, /chat,completions,embeddings,models/);
  assert.match(cliLine, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\s+-$/);
  const apiLine = lines.find((l) => l.startsWith(viaApi.id));
  assert.ok(apiLine, r.stdout);
  assert.match(apiLine, /api-listed/);
  assert.ok(!r.stdout.includes(made.key), 'list never shows a raw key');
});

test('revoke: the gateway refuses the key; unknown ids exit 1', async () => {
  const made = create(['--name', 'to revoke']);
  const r = keys(['revoke', made.id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(made.id));
  assert.equal(keys(['revoke', made.id]).code, 0, 'revoking twice is fine');

  const gw = await startGateway({ config: gatewayConfig() });
  try {
    assertError(await chat(gw, made.key), { status: 401, code: 'invalid_api_key' });
    const got = await gw.get(`/admin/v1/api-keys/${made.id}`, { headers: admin });
    assert.match(got.json.revoked_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  } finally {
    await gw.dispose();
  }
  const list = keys(['list']);
  const line = list.stdout.split('\n').find((l) => l.startsWith(made.id));
  assert.match(line, /Z\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'revocation time shown');

  const unknown = keys(['revoke', 'key_00000000000000000000000000']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no API key/);
});

test('bad arguments exit 2 with the usage on stderr, and store nothing', () => {
  const before = keys(['list']).stdout.trim().split('\n').length;
  const cases = [
    [],
    ['frobnicate'],
    ['create'],
    ['create', '--name'],
    ['create', '--name', 'x', '--rpm', 'abc'],
    ['create', '--name', 'x', '--rpm', '-5'],
    ['create', '--name', 'x', '--budget-cents', '100'],
    ['create', '--name', 'x', '--budget-cents', '100', '--period', 'weekly'],
    ['create', '--name', 'x', '--scopes', 'chat,root'],
    ['create', '--name', 'x', '--ips', 'not-an-ip'],
    ['create', '--name', 'x', '--models', 'a*b*'],
    ['create', '--name', 'x', '--expires', '2020-01-01T00:00:00Z'],
    ['create', '--name', ''],
    ['create', '--name', 'x', '--colour', 'blue'],
    ['create', '--name', 'x', '--name', 'y'],
    ['revoke'],
    ['list', 'extra'],
  ];
  for (const args of cases) {
    const r = keys(args);
    assert.equal(r.code, 2, `keys ${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, /Usage:/, `keys ${args.join(' ')}`);
    assert.equal(r.stdout, '', `keys ${args.join(' ')}`);
  }
  assert.equal(keys(['list']).stdout.trim().split('\n').length, before);
});

test('without a database the command exits 1', () => {
  const noDb = path.join(dir, 'no-db.toml');
  fs.writeFileSync(
    noDb,
    toToml({ providers: { default_provider: 'test', test: testProvider() } }),
  );
  const r = keys(['list'], { config: noDb });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /database/);
});
