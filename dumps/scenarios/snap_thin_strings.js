// Thin strings: 2,000 keys of about 90 characters are built at runtime, survive enough
// scavenges to reach old space, and are then used as property names. V8 cannot
// internalize a string in old space in place: each becomes a ThinString, a 24-byte forward
// to its internalized copy, which a heap snapshot writes as a string with the full text
// and self size 24. They are no external strings (whose characters live outside the JS
// heap): until December 2026 such a snapshot was `external_strings` degraded. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const keys = [];
for (let i = 0; i < 2000; i++) keys.push(`tenant-${i}-` + 'abcdefghij'.repeat(8));
for (let round = 0; round < 40; round++) {  // garbage: a few scavenges promote `keys`
  let junk = [];
  for (let j = 0; j < 100000; j++) junk.push({ j });
  junk = null;
}
const index = {};
for (const key of keys) index[key] = 1;
globalThis.keepKeys = () => [keys, index];

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
