// A TTL cache whose eviction has not run yet: `globalThis.cache.store`, a Map of 10,000
// Entry, each with its own one-hour expiry timer that would delete it. At the dump no timer
// has fired, so the Map has had no deletion: the leak report may not say that nothing evicts.
// Ends with process.abort() from a timer.
'use strict';

class Entry {
  constructor(key, value) {
    this.key = key;
    this.value = value;
  }
}

class TTLCache {
  constructor(ttl) {
    this.ttl = ttl;
    this.store = new Map();
  }

  set(key, value) {
    const entry = new Entry(key, value);
    this.store.set(key, entry);
    entry.timer = setTimeout(() => this.store.delete(key), this.ttl);
  }
}

globalThis.cache = new TTLCache(3600e3);
for (let i = 0; i < 10000; i++) cache.set(`k${i}`, { n: i, text: 'v'.repeat(100) });

setTimeout(() => process.abort(), 20);
