// Big object, no leak: a page cache of the program's own (a class around a Map, at most
// 2,000 pages of 8 KB: about 16 MB at its limit) after 7,000 renders. It evicts its oldest
// page on every insert past the limit, so its Map's hash table shows deleted entries (they
// stay in the table until it is resized). One object retains most of the heap, and that is
// worth saying, but as a cache at its limit, not as a leak. Ends with process.abort() from
// a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class PageCache {
  constructor(limit) {
    this.limit = limit;
    this.pages = new Map();
  }

  put(url, html) {
    this.pages.delete(url);
    this.pages.set(url, html);
    if (this.pages.size > this.limit) this.pages.delete(this.pages.keys().next().value);
  }
}

globalThis.pageCache = new PageCache(2000);
for (let i = 0; i < 7000; i++) {
  globalThis.pageCache.put(`/products/${i}`, Buffer.alloc(8192, 97 + (i % 26)).toString('latin1'));
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
