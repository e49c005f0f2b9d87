// Leak: a session store, as express-session's MemoryStore is, keeps each session as a
// JSON string under its id in `this.sessions = Object.create(null)`, and nothing expires
// them. Known by construction: one SessionStore whose `.sessions` has 8,000 keys, each a
// string of about 450 bytes. Field finding (express-session, December 2026): the suspect
// said "most of it in `.sessions` (Object, 4.2 MiB)" and not that it is one string per
// key. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a
// heap snapshot.
'use strict';

class SessionStore {
  constructor() { this.sessions = Object.create(null); }

  set(id, session) { this.sessions[id] = JSON.stringify(session); }
}

const store = new SessionStore();
for (let i = 0; i < 8000; i++) {
  store.set(`sid-${i.toString(36)}-${'k'.repeat(20)}`, {
    cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' },
    visits: i,
    cart: { items: Array.from({ length: 6 }, (_, k) => ({ sku: `SKU${k}`, qty: k })) },
  });
}
globalThis.store = store;

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
