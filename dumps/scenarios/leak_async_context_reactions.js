// Leak: each request runs in an AsyncLocalStorage context (`requestContext.run(ctx, ...)`)
// and queues an audit write with `dbReady.then(writeAudit)` until the database is up. It
// never comes up: `globalThis.dbReady` never settles. `writeAudit` reads the store with
// getStore(), so no callback references a context, yet each reaction keeps the async
// context it was made in: 2,500 `RequestScope`s of 8 KB (about 20 MB). Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const { AsyncLocalStorage } = require('node:async_hooks');

const requestContext = new AsyncLocalStorage();
globalThis.dbReady = new Promise(() => {});

class RequestScope {
  constructor(n) {
    this.requestId = `r-${n}`;
    this.headers = Buffer.alloc(8192, 97 + (n % 26)).toString('latin1');
  }
}

function writeAudit() {
  return requestContext.getStore()?.requestId;
}

for (let n = 0; n < 2500; n++) {
  requestContext.run(new RequestScope(n), () => { globalThis.dbReady.then(writeAudit); });
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
