// Leak pattern: a poll loop written as async recursion, `await poll(i + 1)`, whose last
// call awaits an upstream promise that never settles. Every call stays suspended, keeping
// its locals, each awaiting the next: a chain Promise -> PromiseReaction -> Context ->
// async function object -> Promise ... off the module variable `upstream`.
// Known by construction: exactly 3,001 PollResult objects, one per suspended call of `poll`.
// Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap
// snapshot.
'use strict';

class PollResult {
  constructor(round) {
    this.round = round;
    this.items = [round, round + 1, round + 2];
  }
}

const upstream = new Promise(() => {}); // the reply that never comes

async function poll(round) {
  const result = new PollResult(round);
  if (round >= 3000) await upstream;
  else await poll(round + 1);
  return result.round;
}

poll(0);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 50);
