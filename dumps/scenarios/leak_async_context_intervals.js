// Leak: each request runs in an AsyncLocalStorage context (`requestContext.run(scope, ...)`)
// and starts a heartbeat with setInterval that nobody clears. `heartbeat` reads the store
// with getStore() and captures nothing, yet each interval keeps the async context it was
// made in: 400 `RequestScope`s of about 8 KB, held by Node's timer list. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const { AsyncLocalStorage } = require('node:async_hooks');

const requestContext = new AsyncLocalStorage();

class RequestScope {
  constructor(n) {
    this.requestId = `r-${n}`;
    this.headers = Buffer.alloc(8192, 97 + (n % 26)).toString('latin1');
  }
}

function heartbeat() {
  return requestContext.getStore()?.requestId;
}

for (let n = 0; n < 400; n++) {
  requestContext.run(new RequestScope(n), () => { setInterval(heartbeat, 600000); });
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
