// One Array `seen` of 200 request ids of 24 characters, each sliced from the front of its
// own 64 KiB payload. V8 keeps a slice of 13 or more characters as a pointer into the
// string it was cut from, so each id keeps its whole payload: 200 short strings hold
// 12.5 MiB, and no one string many slices point into explains it.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const seen = [];

function handle(n) {
  const payload = `${n.toString(36).padStart(24, '0')}:${'x'.repeat(64 * 1024)}`;
  seen.push(payload.slice(0, 24));
}

for (let n = 0; n < 200; n++) handle(n);

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (seen.length === 200) process.abort();
