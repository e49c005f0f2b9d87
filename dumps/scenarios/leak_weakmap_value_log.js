// Leak: a side table keyed by a long-lived object. `auditOf` (a WeakMap) maps the one `app`
// to an Array, and every request appends an `AuditEntry` to it: 10,000 entries, never
// trimmed. The key lives as long as the process, so the WeakMap keeps its value. No strong
// reference names the Array (each half of a key/value pair is weak alone); the program reads
// it as `auditOf.get(app)`. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';

class App {
  constructor(name) {
    this.name = name;
  }
}

class AuditEntry {
  constructor(n) {
    this.seq = n;
    this.message = `user ${n % 97} changed setting ${n}`;
  }
}

const auditOf = new WeakMap();
const app = new App('main');
auditOf.set(app, []);

function audit(n) {
  auditOf.get(app).push(new AuditEntry(n));
}

for (let n = 0; n < 10000; n++) audit(n);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  if (auditOf.get(app).length === 10000) process.abort();
}, 5);
