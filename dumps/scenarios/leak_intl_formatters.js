// Leak pattern: a formatter made per request and kept, `globalThis.formatters`. Each Intl
// object owns ICU objects outside the JS heap (a DateTimeFormat about 30 KiB of them, where
// its JS object is about 140 bytes). Known by construction: 1,000 Intl.DateTimeFormat and
// 200 Intl.NumberFormat. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';

globalThis.formatters = [];
for (let i = 0; i < 1000; i++) {
  globalThis.formatters.push(new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric' }));
}
for (let i = 0; i < 200; i++) {
  globalThis.formatters.push(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }));
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 200);
