// Big object: a tracing plugin subscribes to the diagnostics channel 'db:query' once per
// connection and never unsubscribes: 2,000 subscribers, each closing over an 8 KB
// `queryLog` string of its own (16 MB). The channel (exported as `queries`) keeps them in
// its subscriber Array. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';
const diagnostics = require('diagnostics_channel');

const queries = diagnostics.channel('db:query');
function traceConnection(i) {
  const queryLog = Buffer.alloc(8000, 97 + (i % 26)).toString('latin1');
  queries.subscribe((message) => queryLog.length + message.length);
}
for (let i = 0; i < 2000; i++) traceConnection(i);
module.exports = { queries };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
