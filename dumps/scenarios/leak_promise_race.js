// Leak pattern: a never-settling promise raced against every job. `Promise.race([work,
// shutdownSignal])` subscribes to `shutdownSignal` each time; it never settles, so its reaction
// list (a linked list of PromiseReaction, one per race) grows forever, and each reaction keeps
// that job's JobResult through its handler (a late-cancel callback that closes over it; V8 14
// no longer keeps a settled race's result promise, so the handler is what holds it on every
// version). No container holds the JobResults: they hang off a 4,000-long chain of reactions
// of one promise.
// Known by construction: exactly 4000 JobResult objects. Ends with process.abort() from a timer
// (with the argument `snapshot`: writes a heap snapshot and exits; `both`: writes one, then
// aborts, so the core and the snapshot are of the same process).
'use strict';

class JobResult {
  constructor(i) {
    this.id = i;
    this.output = `job-output-${i}`;
    this.rows = [i, i + 1, i + 2];
  }
}

let requestShutdown;
const shutdownSignal = new Promise((resolve) => {
  requestShutdown = resolve;
});

async function runJob(i) {
  const job = new JobResult(i);
  const work = Promise.resolve(job);
  const cancelled = shutdownSignal.then(() => job.id);
  const result = await Promise.race([work, cancelled]);
  return result.id;
}

async function main() {
  let done = 0;
  for (let i = 0; i < 4000; i++) done += (await runJob(i)) >= 0 ? 1 : 0;
  globalThis.jobsDone = done;
  globalThis.requestShutdown = requestShutdown;
  setTimeout(function crash() {
    if (process.argv[2]) require('v8').writeHeapSnapshot(); // `snapshot` or `both`
    if (process.argv[2] === 'snapshot') return;
    process.abort();
  }, 5);
}

main();
