// Leak: a scheduler keeps every timer it makes in a Set `timers` so it can cancel them at
// shutdown, cancels each with clearTimeout, and never deletes it from the Set: 3,000
// cleared Timeouts pile up. Nothing is pending (clearTimeout dropped each callback and the
// Job it captured); only the Set keeps them. Ends with process.abort() at the end of the
// script (from a timer, the running timer's callback would hold the module); with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Job {
  constructor(n) {
    this.n = n;
    this.payload = `${'p'.repeat(200)}${n}`;
  }
}

const timers = new Set();

function schedule(job) {
  const timer = setTimeout(() => job.n, 60000);
  timers.add(timer);
  return timer;
}

for (let n = 0; n < 3000; n++) clearTimeout(schedule(new Job(n)));

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (timers.size === 3000) process.abort();
