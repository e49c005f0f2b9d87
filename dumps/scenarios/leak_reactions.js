// 4,000 JobResult held only through the reaction list of one never-settling promise
// (Promise.race against a shutdown signal), then process.abort() from a timer.
// Issue #11: on Node 26 the histogram showed 4-6 of them.
"use strict";
class JobResult {
  constructor(i) {
    this.id = i;
    this.payload = "result-" + i;
  }
}

const shutdownSignal = new Promise(() => {});
function track(i) {
  const result = new JobResult(i);
  Promise.race([shutdownSignal]).then(() => result);
  shutdownSignal.then(() => result.id);
}
for (let i = 0; i < 4000; i++) track(i);

setTimeout(function crash() {
  process.abort();
}, 20);
