// One Array `seenIds` of 300,000 message ids kept as BigInts, which only grows. A BigInt is
// a heap object of its own (no class), so the Array's memory is said by what they are:
// "mostly 300,000 BigInts", not "(bigint)".
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const seenIds = [];

function onMessage(n) {
  seenIds.push((BigInt(n) << 64n) | 0x123456789abcdefn);
}

for (let n = 0; n < 300000; n++) onMessage(n);

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (seenIds.length === 300000) process.abort();
