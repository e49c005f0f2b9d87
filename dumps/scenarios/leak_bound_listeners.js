// Leak: every request subscribes `req.onTick.bind(req)` to a global bus and never
// unsubscribes. Known by construction: 3,000 Request objects, each the receiver (`this`) of
// one bound function in the Array `bus.listeners`. Field finding: the suspect named the
// Array but not how the requests hang off it (the path shows only `native_bind`). Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Request {
  constructor(i) {
    this.id = i;
    this.headers = { host: `h${i}`, 'x-id': String(i) };
  }

  onTick() { return this.id; }
}

class Bus {
  constructor() { this.listeners = []; }

  on(fn) { this.listeners.push(fn); }
}

globalThis.bus = new Bus();
for (let i = 0; i < 3000; i++) {
  const req = new Request(i);
  globalThis.bus.on(req.onTick.bind(req));
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
