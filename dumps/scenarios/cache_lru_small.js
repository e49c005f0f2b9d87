// Control: a small bounded cache in a small heap. A page cache of the program's own keeps
// at most 200 pages of 8 KB (1.6 MB) after 4,000 renders; it is a third of this process's
// live heap only because the heap is small. No suspect: nothing accumulates, and an object
// of 1.6 MB is no memory problem. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class RecentPages {
  constructor(limit) {
    this.limit = limit;
    this.byUrl = new Map();
  }

  remember(url, html) {
    this.byUrl.delete(url);
    this.byUrl.set(url, html);
    if (this.byUrl.size > this.limit) this.byUrl.delete(this.byUrl.keys().next().value);
  }
}

globalThis.recentPages = new RecentPages(200);
for (let i = 0; i < 4000; i++) {
  globalThis.recentPages.remember(`/page/${i}`, Buffer.alloc(8192, 97 + (i % 26)).toString('latin1'));
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
