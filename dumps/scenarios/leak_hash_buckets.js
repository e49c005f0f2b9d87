// Leak pattern: a hand-rolled hash table of 128 bucket Arrays that entries are only ever
// pushed into. The outer Array is full (preallocated, every slot in use); the growth is in
// the buckets under it. Known by construction: exactly 25,600 CacheEntry objects, 200 in
// each of the 128 Arrays of the module variable `buckets`. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class CacheEntry {
  constructor(key) {
    this.key = `k${key}`;
    this.value = { n: key, tags: ['a', 'b'] };
  }
}

const buckets = Array.from({ length: 128 }, () => []);

function put(key) {
  buckets[key % 128].push(new CacheEntry(key));
}

for (let key = 0; key < 25600; key++) put(key);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
