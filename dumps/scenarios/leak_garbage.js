// Objects that are garbage at crash time: 800 TempBuffer objects are allocated inside
// churn() and dropped when it returns; process.abort() follows at once, before any GC could
// collect them. A core must show them, and none of them reachable from the roots. The
// 100 KeptBuffer objects allocated alongside stay reachable (globalThis.kept).
'use strict';

class TempBuffer {
  constructor(i) {
    this.slot = i;
    this.payload = [i, i, i];
  }
}

class KeptBuffer {
  constructor(i) {
    this.slot = i;
  }
}

function churn() {
  const temp = [];
  for (let i = 0; i < 800; i++) temp.push(new TempBuffer(i));
  return temp.length;
}

globalThis.kept = [];
for (let i = 0; i < 100; i++) globalThis.kept.push(new KeptBuffer(i));
churn();
process.abort();
