// Not a leak: an audit history kept to its last 5,000 events by shift() after each push
// (50,000 recorded). V8 trims the store's front in place and grows it by half again when a
// push fills it, so the store has free slots at its end, as a leaking array's has, and no
// trace of the trimming survives a GC: one dump cannot tell the two apart.
// Known by construction: 5,000 AuditEvent objects in `history`, bounded. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class AuditEvent {
  constructor(seq) {
    this.seq = seq;
    this.kind = 'login';
    this.detail = `user ${seq % 977} from 10.0.${seq % 255}.1`;
  }
}

const history = [];

function record(seq) {
  history.push(new AuditEvent(seq));
  if (history.length > 5000) history.shift();
}

for (let seq = 0; seq < 50000; seq++) record(seq);
module.exports = { history };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
