// Leak pattern: a paginator per request, a generator that reads a page of 20 Rows into a
// local, yields once, and is never run to its end; the 2,000 started generators are kept
// in a module Array `open`. The Rows are in the generators' locals, not in `open`: the
// suspect says they are kept by 2,000 suspended generators of `pages`.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Row {
  constructor(n) {
    this.n = n;
    this.text = 'r'.repeat(100) + n;
  }
}

function* pages(n) {
  const page = [];
  for (let i = 0; i < 20; i++) page.push(new Row(n * 20 + i));
  yield page.length;
  yield page;
}

const open = [];

function track(iterator) {
  open.push(iterator);
}

for (let n = 0; n < 2000; n++) {
  const iterator = pages(n);
  iterator.next();
  track(iterator);
}

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (open.length === 2000) process.abort();
