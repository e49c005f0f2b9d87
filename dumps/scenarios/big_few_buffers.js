// A few big buffers: 12 Uint8Arrays of 2 MiB (decoded video frames) kept in a Map `frames`.
// Twelve are too few to be an accumulation, so the Map is the suspect, as one object that
// retains 24 MiB by itself. Known by construction. Ends with process.abort() from a timer;
// with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const frames = new Map();
for (let i = 0; i < 12; i++) frames.set(`frame-${i}`, new Uint8Array(2 << 20).fill(i + 1));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  if (frames.size === 12) process.abort();
}, 5);
