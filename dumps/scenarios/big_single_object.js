// One object holds most of the heap: a report cache whose `table` is a 4,000,000-element
// numeric Array (about 30 MiB), held by the module variable `report`. No class has many
// instances, so no accumulation explains it: Eclipse MAT's "one instance occupies" case.
// Ends with process.abort() from a timer.
'use strict';

class ReportCache {
  constructor() {
    this.table = new Array(4_000_000).fill(1.5);
    this.createdAt = Date.now();
  }
}

const report = new ReportCache();
setTimeout(function crash() {
  if (report.table.length) process.abort();
}, 10);
