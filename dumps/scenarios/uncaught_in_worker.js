// An error thrown in a Worker and not handled there nor by the main thread's 'error'
// listener, under --abort-on-uncaught-exception. The Worker's TypeError reaches the main
// thread as a plain object with its name, message and stack, and the main thread throws
// that object. Known by construction: TypeError "Cannot read properties of undefined
// (reading 'id')" thrown in `parseJob` of this file, in the Worker. Field finding: the
// exception was "Uncaught Object { name: 'TypeError', ... }" with the stack cut at 80
// characters.
'use strict';
const { Worker, isMainThread, parentPort } = require('worker_threads');

if (isMainThread) {
  const worker = new Worker(__filename);
  worker.postMessage({});
  setInterval(() => {}, 1000);
} else {
  function parseJob(job) {
    return job.payload.id;
  }
  parentPort.on('message', (job) => parseJob(job));
}
