'use strict';

// Connection handling: a burst of new connections is accepted at once, pipelined requests
// on one connection are answered in order, HEAD gets the header without the body.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');

const { startGateway, testProvider, waitFor } = require('../lib/gateway');

const TEXT = 'Connections answer from the test provider.';

let gw;

before(async () => {
  gw = await startGateway({
    config: {
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

function chatRequest(content) {
  const body = JSON.stringify({ model: 'test/any', messages: [{ role: 'user', content }] });
  return (
    'POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Splits raw HTTP/1.1 answers with Content-Length bodies; `head` marks bodiless answers. */
function parseAnswers(raw, head = false) {
  const answers = [];
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) {
      return { answers, rest };
    }
    const header = rest.slice(0, end);
    const length = Number((/content-length: (\d+)/i.exec(header) || [])[1] || 0);
    const bodyLength = head ? 0 : length;
    if (rest.length < end + 4 + bodyLength) {
      return { answers, rest };
    }
    answers.push({
      status: Number(header.slice(9, 12)),
      header,
      length,
      body: rest.slice(end + 4, end + 4 + bodyLength),
    });
    rest = rest.slice(end + 4 + bodyLength);
  }
}

/** Writes `data` at once on a new connection and collects `count` answers. */
function exchange(port, data, count, { head = false, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${count} answers not received in ${timeoutMs} ms; got: ${raw}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(data));
    socket.on('data', (text) => {
      raw += text;
      const { answers, rest } = parseAnswers(raw, head);
      if (answers.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ answers, rest });
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A connection that gathers what it receives, as text, in `conn.raw`. */
async function connectGathering(port) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const conn = { socket, raw: '' };
  socket.setEncoding('latin1');
  socket.on('data', (text) => {
    conn.raw += text;
  });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  return conn;
}

test('a burst of 300 new connections is served', async () => {
  const started = Date.now();
  const all = await Promise.all(
    Array.from({ length: 300 }, (_, i) => exchange(gw.port, chatRequest(`burst ${i}`), 1)),
  );
  for (const { answers } of all) {
    assert.equal(answers[0].status, 200, answers[0].header);
    assert.equal(JSON.parse(answers[0].body).choices[0].message.content, TEXT);
  }
  assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
});

test('pipelined requests on one connection are answered in order', async () => {
  const data =
    chatRequest('first') +
    'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
    chatRequest('third');
  const { answers, rest } = await exchange(gw.port, data, 3);
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200],
  );
  assert.equal(JSON.parse(answers[0].body).object, 'chat.completion');
  assert.deepEqual(JSON.parse(answers[1].body), { status: 'ok' });
  assert.equal(JSON.parse(answers[2].body).object, 'chat.completion');
  const ids = answers.map((a) => /x-request-id: (\S+)/i.exec(a.header)[1]);
  assert.equal(new Set(ids).size, 3, 'each answer has its own request id');
  assert.equal(rest, '');
});

test('HEAD gets the header and Content-Length without a body', async () => {
  const conn = await connectGathering(gw.port);
  const { socket } = conn;
  try {
    socket.write('HEAD /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => conn.raw.includes('\r\n\r\n'), { message: 'the HEAD answer' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const head = parseAnswers(conn.raw, true);
    assert.equal(head.answers.length, 1, conn.raw);
    assert.equal(head.answers[0].status, 200);
    assert.ok(head.answers[0].length > 0, head.answers[0].header);
    assert.equal(head.rest, '', 'no body follows a HEAD answer');

    // The connection goes on with the next request.
    conn.raw = '';
    socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => parseAnswers(conn.raw).answers.length === 1, { message: 'the GET answer' });
    assert.deepEqual(JSON.parse(parseAnswers(conn.raw).answers[0].body), { status: 'ok' });
  } finally {
    socket.destroy();
  }
});

test('HTTP/1.0 without keep-alive is answered and closed', async () => {
  const raw = await new Promise((resolve, reject) => {
    const socket = net.connect({ port: gw.port, host: '127.0.0.1' });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write('GET /health/live HTTP/1.0\r\n\r\n'));
    socket.on('data', (part) => {
      text += part;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`not closed; got ${text}`)), 5000);
  });
  assert.match(raw, /^HTTP\/1\.0 200 OK\r\n/);
  assert.doesNotMatch(raw, /connection: keep-alive/i);
  assert.match(raw, /\{"status":"ok"\}$/);
});

test('the next requests on a kept connection are read whole, however they arrive', async () => {
  const conn = await connectGathering(gw.port);
  const { socket } = conn;
  const answered = async (count, message) => {
    await waitFor(() => parseAnswers(conn.raw).answers.length === count, { message });
    return parseAnswers(conn.raw).answers[count - 1];
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
  try {
    socket.write(chatRequest('first'));
    assert.equal((await answered(1, 'the first answer')).status, 200);

    // The second request in three pieces: the head's start, its end, then the body.
    const second = chatRequest('second');
    const headEnd = second.indexOf('\r\n\r\n') + 4;
    for (const piece of [second.slice(0, 20), second.slice(20, headEnd), second.slice(headEnd)]) {
      socket.write(piece);
      await pause();
    }
    const two = await answered(2, 'the answer to the request sent in pieces');
    assert.equal(two.status, 200, two.header);
    assert.equal(JSON.parse(two.body).choices[0].message.content, TEXT);

    // With Expect: 100-continue, the interim answer comes before the body is sent.
    const body = JSON.stringify({ model: 'test/any', messages: [{ role: 'user', content: 'x' }] });
    socket.write(
      'POST /api/v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nExpect: 100-continue\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    await waitFor(() => conn.raw.includes('HTTP/1.1 100 Continue\r\n\r\n'), {
      message: 'the 100 Continue',
    });
    conn.raw = conn.raw.replace('HTTP/1.1 100 Continue\r\n\r\n', '');
    socket.write(body);
    assert.equal((await answered(3, 'the answer after 100 Continue')).status, 200);

    // A malformed request line on the kept connection gets a 400 in the documented format.
    socket.write('NOT A REQUEST\r\n\r\n');
    const bad = await answered(4, 'the answer to a malformed request');
    assert.equal(bad.status, 400, bad.header);
    assert.equal(JSON.parse(bad.body).error.code, 'validation_error');
  } finally {
    socket.destroy();
  }
});

test('an answer larger than the socket takes at once reaches a slow reader whole', async () => {
  // 8 MiB: more than the kernel's send and receive buffers hold while the client reads
  // nothing, so the gateway writes part at once and the rest as room comes.
  const big = 'slow reader '.repeat((8 << 20) / 12);
  const large = await startGateway({
    config: { providers: { default_provider: 'test', test: testProvider({ response_text: big }) } },
  });
  try {
    const socket = net.connect({ port: large.port, host: '127.0.0.1' });
    const chunks = [];
    let size = 0;
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    socket.write(chatRequest('a long answer, please'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.resume();
    // Whole once the bytes after the head reach its Content-Length.
    const whole = () => {
      const head = Buffer.concat(chunks.slice(0, 4)).toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      const length = Number((/content-length: (\d+)/i.exec(head) || [])[1]);
      return end > 0 && size >= end + 4 + length;
    };
    await waitFor(whole, { message: 'the whole answer', timeoutMs: 20000 });
    const [answer] = parseAnswers(Buffer.concat(chunks).toString('latin1')).answers;
    socket.destroy();
    assert.equal(answer.status, 200, answer.header);
    assert.equal(answer.body.length, answer.length);
    assert.equal(JSON.parse(answer.body).choices[0].message.content, big);
  } finally {
    await large.dispose();
  }
});
