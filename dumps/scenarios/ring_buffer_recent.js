// Control for wording: the last 2,000 requests kept in a preallocated ring buffer
// (`globalThis.recent`, 2,000 slots, overwritten in place) after 100,000 requests. It is a
// big holder of a small heap, so it may be a suspect, but nothing says it grows: one dump
// cannot tell a full ring from a leak. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class RecentRequest {
  constructor(i) {
    this.i = i;
    this.line = `GET /api/items/${i} 200 ${i % 97}ms `.padEnd(200, '.');
  }
}

globalThis.recent = new Array(2000).fill(null);
let next = 0;
for (let i = 0; i < 100000; i++) {
  globalThis.recent[next] = new RecentRequest(i);
  next = (next + 1) % globalThis.recent.length;
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
