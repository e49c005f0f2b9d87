// Leak pattern: a singleton that keeps every per-request object. RequestRegistry.instance
// (a static property of the class) pushes each RequestRecord onto its `requests` array.
// Known by construction: exactly 2500 RequestRecord objects. Also holds weak references
// (a WeakRef and a WeakMap keyed by a record) so weak edges can be checked.
// Ends with process.abort() from a timer.
'use strict';

class RequestRecord {
  constructor(i) {
    this.url = `/api/item/${i}`;
    this.headers = { 'x-id': String(i) };
  }
}

class RequestRegistry {
  constructor() {
    this.requests = [];
  }

  static get() {
    if (!RequestRegistry.instance) RequestRegistry.instance = new RequestRegistry();
    return RequestRegistry.instance;
  }

  track(req) {
    this.requests.push(req);
  }
}

class WeakTarget {
  constructor() {
    this.label = 'only-weakly-held';
  }
}

for (let i = 0; i < 2500; i++) RequestRegistry.get().track(new RequestRecord(i));
globalThis.weakRef = new WeakRef(new WeakTarget());
globalThis.weakMeta = new WeakMap([[RequestRegistry.get().requests[0], { note: 'meta' }]]);
globalThis.RequestRegistry = RequestRegistry;

setTimeout(function crash() {
  process.abort();
}, 5);
