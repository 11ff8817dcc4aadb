'use strict';

// The gateway's threads carry names that tell them apart in `top -H`, `ps -L` and perf:
// the first I/O thread keeps the process's name, the others are hadrian-io, the database
// thread hadrian-db and the access log's writer hadrian-log.

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { binaryPath, startGateway, testProvider } = require('../lib/gateway');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hadrian-threads-'));
let gw;

after(async () => {
  if (gw) {
    await gw.dispose();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The name of thread `tid` of process `pid`. */
function threadName(pid, tid) {
  return fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
}

/** The names of the process's threads other than its first, sorted. */
function otherThreadNames(pid) {
  const tasks = fs.readdirSync(`/proc/${pid}/task`).filter((tid) => tid !== String(pid));
  return tasks.map((tid) => threadName(pid, tid)).sort();
}

test('threads are named by their work', async () => {
  gw = await startGateway({
    config: {
      server: { threads: 3 },
      database: { type: 'sqlite', path: path.join(dir, 'hadrian.db') },
      providers: { default_provider: 'test', test: testProvider({ response_text: 'hi' }) },
    },
  });
  // The first thread keeps the name of the binary, as `ps` shows the process.
  assert.equal(threadName(gw.pid, gw.pid), path.basename(binaryPath()).slice(0, 15));
  // The database thread names itself in its first task, which may run just after start.
  const expected = ['hadrian-db', 'hadrian-io', 'hadrian-io', 'hadrian-log'];
  let names = otherThreadNames(gw.pid);
  for (let i = 0; i < 50 && !names.includes('hadrian-db'); ++i) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    names = otherThreadNames(gw.pid);
  }
  assert.deepEqual(names, expected);
});
