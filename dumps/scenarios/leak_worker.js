// Two isolates, two leaks: the main thread keeps exactly 1200 `MainLeak` objects in a
// module-level array, and one Worker (this same file, run with isMainThread false) keeps
// exactly 700 `WorkerLeak` objects in a Map. The worker reports "ready" once its leak is in
// place and then idles in its event loop; the main thread aborts from a timer soon after, so
// the core holds both heaps: the main thread's in JS, the worker's idle.
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');

if (isMainThread) {
  class MainLeak {
    constructor(i) {
      this.id = i;
      this.label = `main-${i}`;
    }
  }
  const mainLeaks = [];
  for (let i = 0; i < 1200; i++) mainLeaks.push(new MainLeak(i));
  const worker = new Worker(__filename);
  worker.on('message', function ready() {
    setTimeout(function crash() {
      if (mainLeaks.length !== 1200) throw new Error('unreachable');
      process.abort();
    }, 100);
  });
} else {
  class WorkerLeak {
    constructor(i) {
      this.id = i;
      this.payload = [i, i + 1, i + 2];
    }
  }
  const workerLeaks = new Map();
  for (let i = 0; i < 700; i++) workerLeaks.set(i, new WorkerLeak(i));
  parentPort.postMessage('ready');
  setInterval(function keep() {
    if (workerLeaks.size !== 700) throw new Error('unreachable');
  }, 60000);
}
