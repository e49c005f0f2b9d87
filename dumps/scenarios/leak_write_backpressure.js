// Leak pattern: a producer that ignores write()'s false return. An object-mode Writable
// sends audit events to a collector that has stopped acknowledging (its write callback is
// never called), so every further write() waits in the stream's own queue. Known by
// construction: 3,000 AuditEvent of about 8 KB written, one in flight, 2,999 queued in
// `(global).auditSink`. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';
const { Writable } = require('stream');

class AuditEvent {
  constructor(seq) {
    this.seq = seq;
    this.detail = Buffer.alloc(8192, 97 + (seq % 26)).toString('latin1');
  }
}

const unacknowledged = [];
globalThis.auditSink = new Writable({
  objectMode: true,
  highWaterMark: 64,
  write(event, encoding, done) {
    if (unacknowledged.length === 0) unacknowledged.push(done);  // the collector never acks
  },
});

for (let seq = 0; seq < 3000; seq++) globalThis.auditSink.write(new AuditEvent(seq));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
