// Control: a bounded LRU cache (at most 500 entries, the oldest evicted on insert) after
// 20,000 inserts. It holds 500 `Entry` at its limit: a cache doing its job, whose Map's hash
// table shows the deletions (deleted entries stay in the table until it is resized: 100 of
// them after this exact sequence of inserts and deletes). It must not be called an unbounded
// cache. Ends with process.abort() from a timer.
'use strict';

class Entry {
  constructor(key, value) {
    this.key = key;
    this.value = value;
  }
}

class LRU {
  constructor(max) {
    this.max = max;
    this.map = new Map();
  }

  set(key, value) {
    if (this.map.has(key)) this.map.delete(key);
    this.map.set(key, new Entry(key, value));
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value);
  }
}

const cache = new LRU(500);
for (let i = 0; i < 20000; i++) cache.set(`k${i}`, { payload: `${'x'.repeat(20)}${i}` });
globalThis.cache = cache;
setTimeout(function crash() {
  process.abort();
}, 10);
