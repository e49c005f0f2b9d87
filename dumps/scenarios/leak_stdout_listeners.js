// Leak pattern: each job waits for 'drain' on process.stdout and never removes its listener:
// 3,000 listeners, each capturing its Job. Node keeps the stream in a variable `stdout` of
// its own code, returned by the getter process.stdout; the holder is named as the program
// reads it, `process.stdout._events.drain`.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Job {
  constructor(n) {
    this.n = n;
    this.out = 'o'.repeat(400) + n;
  }
}

function run(n) {
  const job = new Job(n);
  process.stdout.on('drain', () => job.n);
}

process.stdout.setMaxListeners(0);
for (let n = 0; n < 3000; n++) run(n);

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (process.stdout.listenerCount('drain') === 3000) process.abort();
