// Leak pattern hidden behind garbage: 60,000 short-lived ApiCall objects are dropped, then
// 3,000 more are kept in the module array `slowCalls`. A core still holds the dead ones; the
// first instances of the class in the heap are garbage. Known by construction: 3,000 live
// ApiCall held by `slowCalls`. Ends with process.abort() from a timer.
'use strict';

class ApiCall {
  constructor(i) {
    this.route = `/v1/things/${i}`;
    this.timing = { start: i, end: i + (i % 300) };
  }
}

let dropped = 0;
for (let i = 0; i < 60000; i++) {
  const call = new ApiCall(i);
  dropped += call.timing.end - call.timing.start > 1000 ? 1 : 0;
}
const slowCalls = [];
for (let i = 0; i < 3000; i++) slowCalls.push(new ApiCall(i));
globalThis.report = () => [slowCalls.length, dropped];

setTimeout(() => process.abort(), 5);
