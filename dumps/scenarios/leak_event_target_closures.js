// Leak pattern: a web-style EventTarget `globalThis.bus`; each of 3,000 requests adds a 'tick'
// listener closing over a 10 KB string of its own and never removes it. No class of the
// program is involved: what piles up are Node's listener entries (class Listener) and the
// closures and strings they keep (30 MB). Known by construction: 3,000 listeners for 'tick'.
// Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

globalThis.bus = new EventTarget();
for (let i = 0; i < 3000; i++) {
  const body = Buffer.alloc(10000, 97 + (i % 26)).toString('latin1');
  bus.addEventListener('tick', () => body.length);
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
