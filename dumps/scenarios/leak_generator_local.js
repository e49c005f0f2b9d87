// Leak pattern: an async generator suspended forever (awaiting a promise that never
// settles) after it read 5,000 rows into a local array. A local that no closure captures
// lives in the generator's registers, which have no names: the generator object does.
// Known by construction: exactly 5,000 Row objects, in a local of the suspended `batches()`
// that the module variable `pending` holds. Ends with process.abort() from a timer.
'use strict';

class Row {
  constructor(id) {
    this.id = id;
    this.name = `row ${id}`;
    this.cols = [id, id * 2, id * 3];
  }
}

async function* batches() {
  const rows = [];
  for (let id = 0; id < 5000; id++) rows.push(new Row(id));
  yield rows.length;
  await new Promise(() => {}); // the upstream that would send the next batch never answers
  yield rows.length;
}

const pending = batches();
pending.next().then(() => pending.next());

setTimeout(function crash() {
  process.abort();
}, 20);
