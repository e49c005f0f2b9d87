// Leak pattern: a poller per connection with setInterval, never cleared, whose callback
// closes over the connection's 16 KiB Buffer. Node's timer list holds the 1,000 timers; the
// callbacks and what they keep are the program's. Known by construction: 1,000 Buffers (16
// MiB) in `timerListMap[3600000]`. Ends with process.abort() from a timeout.
'use strict';

for (let i = 0; i < 1000; i++) {
  const state = Buffer.alloc(16384, i & 0xff);
  setInterval(function poll() { state[0]++; }, 3600 * 1000);
}

setTimeout(function crash() {
  process.abort();
}, 5);
