// Big object: a `Hub` (a class extending EventEmitter) exported by the main module gets one
// 'user:login' listener per request, each closing over an 8 KB string of its own, and never
// removed. The memory is the listener Array `hub._events['user:login']` (2,000 closures,
// 16 MB), not the Hub or the exports object around it. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const { EventEmitter } = require('events');

class Hub extends EventEmitter {}

const hub = new Hub();
hub.setMaxListeners(0);
for (let i = 0; i < 2000; i++) {
  const session = Buffer.alloc(8000, 97 + (i % 26)).toString('latin1');
  hub.on('user:login', () => session.length);
}
module.exports = { hub };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
