// A few big buffers, shared by three isolates: the main thread keeps 12 SharedArrayBuffers
// of 2 MiB in a Map `frames` and posts each to two Workers, which keep a Uint8Array view of
// each in an Array `received`. 24 MiB of the process, in one backing store per buffer, held
// by all three heaps. Twelve are too few to be an accumulation: each heap's holder is a big
// object, and the process's external memory counts each store once. Known by construction.
// Ends with process.abort() from a timer once both Workers hold every frame.
'use strict';
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

const FRAMES = 12;

if (isMainThread) {
  const frames = new Map();
  const workers = [new Worker(__filename), new Worker(__filename)];
  let held = 0;
  for (const worker of workers) {
    worker.on('message', function frameHeld() {
      if (++held < FRAMES * workers.length) return;
      setTimeout(function crash() {
        if (frames.size === FRAMES) process.abort();
      }, 100);
    });
  }
  for (let i = 0; i < FRAMES; i++) {
    const frame = new SharedArrayBuffer(2 << 20);
    new Uint8Array(frame).fill(i + 1);
    frames.set(`frame-${i}`, frame);
    for (const worker of workers) worker.postMessage(frame);
  }
} else {
  const received = [];
  parentPort.on('message', function keep(frame) {
    received.push(new Uint8Array(frame));
    parentPort.postMessage(received.length);
  });
}
