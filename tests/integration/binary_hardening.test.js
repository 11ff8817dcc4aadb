'use strict';

// How the gateway's binary is linked (CMakeLists.txt): calls into shared libraries through
// the GOT with no PLT stubs (-fno-plt), and the GOT bound at start-up and then read-only
// (full RELRO). Read from the ELF file with binutils' readelf.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

const { binaryPath } = require('../lib/gateway');

function readelf(args) {
  const r = spawnSync('readelf', [...args, binaryPath()], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    throw r.error;
  }
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the binary is bound at start-up and its relocations are read-only after it', () => {
  const dynamic = readelf(['-d', '-W']);
  assert.match(dynamic, /\(FLAGS\)\s+BIND_NOW/);
  assert.match(dynamic, /\(FLAGS_1\)\s+Flags:.*\bNOW\b/);
  assert.match(readelf(['-l', '-W']), /^\s*GNU_RELRO\s/m);
});

test('calls into shared libraries go through no PLT stub', () => {
  // Each stub is 16 bytes; with -fno-plt at most the 16-byte header of .plt is left.
  const sections = readelf(['-S', '-W']);
  const plt = sections.split('\n').find((line) => /\]\s+\.plt\s/.test(line));
  if (plt !== undefined) {
    // After the section's number: name, type, address, offset, size.
    const fields = plt.slice(plt.indexOf(']') + 1).trim().split(/\s+/);
    const size = parseInt(fields[4], 16);
    assert.ok(size <= 16, `.plt holds ${size} bytes of stubs: ${plt.trim()}`);
  }
  assert.doesNotMatch(sections, /\.rela\.plt\s/);
});
