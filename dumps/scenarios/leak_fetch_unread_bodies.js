// Leak pattern: 200 fetch() responses whose bodies are never read, kept in
// `globalThis.responses`. undici (Node's fetch) keeps each response's connection busy and its
// body stream buffered (64-128 KiB of a 256 KiB reply) in its global dispatcher until the body
// is read or cancelled: the streams are held by the dispatcher's connections and by the
// program's responses, which meet only at the global. With the argument `read`, every body is
// read (the control: no such suspect). The server runs in the same process, on loopback.
// Ends with process.abort(); with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const http = require('http');

const reply = Buffer.alloc(256 * 1024, 120);
const server = http.createServer((req, res) => res.end(reply));
globalThis.responses = [];

server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  for (let i = 0; i < 200; i++) {
    const res = await fetch(url + i);
    if (process.argv[2] === 'read') await res.arrayBuffer();
    globalThis.responses.push(res);
  }
  setTimeout(function crash() {
    if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
    process.abort();
  }, 200);
});
