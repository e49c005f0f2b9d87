// Leak: a rate limiter remembers every client in a module-level `const cache = {}` of plain
// `{ value, expires }` objects, one key per client address, and never deletes one. Known by
// construction: 4,000 Objects held under the 4,000 keys of one plain object `cache`.
// Field finding: no suspect at all was reported (the walk down from the global object
// ended at the module's context, above the dictionary). Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const cache = {};

function remember(client, hits) {
  cache[client] = { value: hits, expires: Date.now() + 60000 };
}

for (let i = 0; i < 4000; i++) remember(`10.1.${i >> 8}.${i & 255}`, i % 17);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
