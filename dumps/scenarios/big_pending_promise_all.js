// Big object: a batch job collects 4,000 rendered pages (8 KB each, 32 MB) with
// Promise.all over their promises and `globalThis.drained`, a promise nothing ever
// resolves. Promise.all keeps the values it has so far until every input settles, in the
// reaction it added to the pending one: the memory is `(global).drained`'s reactions
// (three: Promise.all's, a `.then` and a `.finally`).
// Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap
// snapshot.
'use strict';

globalThis.drained = new Promise(() => {});
const pages = [];
for (let i = 0; i < 4000; i++) {
  pages.push(Promise.resolve(Buffer.alloc(8000, 97 + (i % 26)).toString('latin1') + i));
}
globalThis.batch = Promise.all([...pages, globalThis.drained]);
// two more waiters on the same promise: its reaction list has three entries
globalThis.drained.then(() => console.log('drained'));
globalThis.drained.finally(() => console.log('closing'));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 20);
