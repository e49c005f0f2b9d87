// Leak pattern: an LRU cache (a Map from key to entry, and a doubly linked list of the
// entries in use order) configured with no bound (max = Infinity). Every entry is held by
// the Map and linked to its neighbours; the Map is what grows. Known by construction:
// 20,000 LruEntry in `globalThis.sessionCache.map`. Ends with process.abort() from a timer.
'use strict';

class LruEntry {
  constructor(key, value) { this.key = key; this.value = value; this.prev = null; this.next = null; }
}

class Lru {
  constructor(max) { this.max = max; this.map = new Map(); this.head = null; this.tail = null; }

  set(key, value) {
    const entry = new LruEntry(key, value);
    this.map.set(key, entry);
    entry.next = this.head;
    if (this.head) this.head.prev = entry;
    this.head = entry;
    if (!this.tail) this.tail = entry;
    if (this.map.size > this.max) {
      const last = this.tail;
      this.tail = last.prev;
      this.tail.next = null;
      this.map.delete(last.key);
    }
  }
}

globalThis.sessionCache = new Lru(Infinity);
for (let i = 0; i < 20000; i++) {
  globalThis.sessionCache.set('sess-' + i, { user: 'u' + i, data: 'x'.repeat(100) + i });
}

setTimeout(() => process.abort(), 5);
