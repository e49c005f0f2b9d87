// Leak pattern: setInterval timers that are never cleared, each capturing its own state.
// Known by construction: exactly 300 PollState objects, each captured by one interval callback
// (the timers stay in Node's timer lists). Ends with process.abort() from a timeout.
'use strict';

class PollState {
  constructor(i) {
    this.target = `host-${i}`;
    this.history = new Array(16).fill(i);
  }
}

function startPolling(i) {
  const pollState = new PollState(i);
  setInterval(function poll() {
    pollState.history.push(Date.now());
  }, 3600 * 1000);
}

for (let i = 0; i < 300; i++) startPolling(i);

setTimeout(function crash() {
  process.abort();
}, 5);
