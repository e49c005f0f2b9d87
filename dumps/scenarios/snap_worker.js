// A heap snapshot written by a Worker thread: the worker keeps exactly 500 `WorkerItem`s in a
// module-level array and calls v8.writeHeapSnapshot(), whose default file name carries the
// worker's thread id (Heap.<date>.<time>.<pid>.1.<seq>.heapsnapshot). The main thread holds
// none. Exits 0 once the worker is done.
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename);
  worker.on('message', () => worker.terminate());
} else {
  class WorkerItem {
    constructor(i) {
      this.id = i;
    }
  }
  const items = [];
  for (let i = 0; i < 500; i++) items.push(new WorkerItem(i));
  require('v8').writeHeapSnapshot();
  parentPort.postMessage(items.length);
}
