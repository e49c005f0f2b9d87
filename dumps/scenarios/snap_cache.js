// Leak pattern: an unbounded Map cache held by a module-level singleton.
// Every request stores a `Session` in the module-level `sessionCache` Map and nothing ever
// evicts it. Known by construction: exactly 3000 Session instances, all in `sessionCache`.
// 2000 `Discarded` objects are built and dropped before the snapshot: garbage, not a leak.
'use strict';
const http = require('http');
const v8 = require('v8');

class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.roles = ['reader', `team-${id % 17}`];
    this.meta = { createdAt: `t${id}`, ip: `10.0.${id % 250}.${id % 7}` };
  }
}

class Discarded {
  constructor(i) {
    this.payload = new Array(16).fill(i);
  }
}

const sessionCache = new Map();

function handleRequest(req, res) {
  sessionCache.set(`sid-${req.sessionId}`, new Session(req.sessionId)); // never evicted
  if (res) res.end('ok');
}

const server = http.createServer(handleRequest);
server.listen(0, '127.0.0.1', () => {
  for (let i = 0; i < 3000; i++) handleRequest({ sessionId: i }, null);
  let scratch = [];
  for (let i = 0; i < 2000; i++) scratch.push(new Discarded(i));
  scratch = null;
  setTimeout(() => {
    v8.writeHeapSnapshot('cache.heapsnapshot');
    server.close();
    process.exit(0);
  }, 10);
});
