// Leak: a protocol sniffer remembers the first 64 bytes of every connection's first read,
// as `chunk.subarray(0, 64)`, in a Map `globalThis.firstBytes`. A subarray is a view: each
// 64-byte Buffer keeps the whole 64 KiB read it was cut from. 300 connections keep about
// 19 MiB, nearly all of it outside the JS heap. Ends with process.abort() from a timer;
// with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

globalThis.firstBytes = new Map();

function onFirstRead(connectionId, chunk) {
  globalThis.firstBytes.set(connectionId, chunk.subarray(0, 64));
}

for (let id = 0; id < 300; id++) {
  const chunk = Buffer.alloc(64 * 1024, id % 256);
  chunk.writeUInt32BE(id, 0);
  onFirstRead(`conn-${id}`, chunk);
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
