// One big object behind a Proxy: an observable store (`globalThis.store`, a Proxy whose
// handler forwards get/set) collects 20,000 entries as properties of its target, an
// object used as a dictionary. The target is the big object, seen through the Proxy.
// Known by construction. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';

const target = {};
globalThis.store = new Proxy(target, {
  get(t, key) { return t[key]; },
  set(t, key, value) { t[key] = value; return true; },
});
for (let i = 0; i < 20000; i++) globalThis.store['k' + i] = { id: i, payload: 'p'.repeat(64) + i };

setTimeout(() => {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
