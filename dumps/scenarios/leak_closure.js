// Leak pattern: a long-lived closure capturing a large array. `largeRecords` (40,000 Record
// objects) is a variable of makeReporter's context, captured by the returned `report`
// closure, which is kept on the global object. Known by construction: exactly 40000 Record.
'use strict';

class Record {
  constructor(i) {
    this.index = i;
    this.value = i * 2;
  }
}

function makeReporter(n) {
  const largeRecords = [];
  for (let i = 0; i < n; i++) largeRecords.push(new Record(i));
  return function report() {
    return largeRecords.length;
  };
}

globalThis.reporter = makeReporter(40000);

setTimeout(function crash() {
  process.abort();
}, 5);
