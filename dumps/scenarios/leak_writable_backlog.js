// Leak pattern: a PassThrough written to (ignoring write() === false) and never read: 5,000
// chunks of 4 KiB wait in its writable buffer. Known by construction: the backlog is held by
// `globalThis.sink`. Node 26's stream code also captures the stream in a closure variable
// `stream`, a name the program never wrote. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot (which collects garbage).
'use strict';
const { PassThrough } = require('stream');

globalThis.sink = new PassThrough();
for (let i = 0; i < 5000; i++) globalThis.sink.write(Buffer.alloc(4096, i & 0xff));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
