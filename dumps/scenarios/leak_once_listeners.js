// Leak: a client queues each query until its connection is up with
// `pool.once('ready', () => run(query))`. The pool never connects, so 'ready' is never
// emitted and no once() listener is ever removed: 2,500 `QueuedQuery`s of 8 KB (about 20 MB)
// wait on `globalThis.pool`. A second event, 'drain', is emitted once and its once()
// listeners are gone (no leak). With the argument `awaited` each query is run by an async
// function that does `await events.once(pool, 'ready')` instead: once() adds a 'ready' and
// an 'error' listener per call, so the queries hang off two events of the pool. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const { EventEmitter, once } = require('node:events');

class QueuedQuery {
  constructor(n) {
    this.sql = `SELECT * FROM orders WHERE id = ${n}`;
    this.params = Buffer.alloc(8192, 97 + (n % 26)).toString('latin1');
  }
}

globalThis.pool = new EventEmitter();
globalThis.pool.setMaxListeners(0);

function run(query) {
  return query.sql.length;
}

async function runWhenReady(query) {
  await once(globalThis.pool, 'ready');
  return run(query);
}

for (let n = 0; n < 2500; n++) {
  const query = new QueuedQuery(n);
  if (process.argv[2] === 'awaited') runWhenReady(query);
  else globalThis.pool.once('ready', () => run(query));
}
for (let n = 0; n < 100; n++) {
  const query = new QueuedQuery(n);
  globalThis.pool.once('drain', () => run(query));
}
globalThis.pool.emit('drain');

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
