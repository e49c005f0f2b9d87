// Leak only in a Worker: the Worker (this same file, run with isMainThread false) keeps
// exactly 400 Buffers of 64 KiB each (25 MiB, outside the JS heap) in an Array `chunks`;
// the main thread keeps nothing of its own. The Worker reports "ready" once its leak is in
// place and idles; the main thread aborts from a timer soon after. Field finding: the
// first page showed no leak suspect at all, the Worker's being in a section after the
// histogram and the memory totals.
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename);
  worker.on('message', function ready() {
    setTimeout(function crash() {
      process.abort();
    }, 100);
  });
} else {
  const chunks = [];
  for (let i = 0; i < 400; i++) chunks.push(Buffer.alloc(65536, i & 255));
  globalThis.keepChunks = () => chunks;
  parentPort.postMessage('ready');
  setInterval(() => {}, 1000);
}
