// Leak pattern: intervals that are never cleared. Each `PollJob` starts a 60 s interval whose
// callback captures the job; nobody calls clearInterval. Known by construction: exactly 500
// PollJob instances, all retained by Node's 60000 ms timer list.
'use strict';
const v8 = require('v8');

class PollJob {
  constructor(id) {
    this.name = `job-${id}`;
    this.history = new Array(32).fill(id);
  }
  poll() {
    this.history.push(Date.now());
  }
}

function startPolling(id) {
  const job = new PollJob(id);
  setInterval(() => job.poll(), 60000); // handle dropped: can never be cleared
}

for (let i = 0; i < 500; i++) startPolling(i);
setTimeout(() => {
  v8.writeHeapSnapshot('timers.heapsnapshot');
  process.exit(0);
}, 10);
