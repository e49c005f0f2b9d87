// Leak pattern: a debounce per document, keyed by an id that never repeats: each pending
// 60 s timer's callback captures the latest Edit, and the module's Map `pending` holds
// each timer too. The Edits meet only at the global object (Node's timer list and the Map
// are both below it). Known by construction: exactly 4,000 Edit objects, kept by 4,000
// timers in `pending`. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';

class Edit {
  constructor(seq) {
    this.doc = `doc-${seq}`;
    this.ops = [{ insert: `text ${seq}` }];
  }
}

const pending = new Map();

function save(edit) {
  return edit.doc;
}

function onEdit(edit) {
  clearTimeout(pending.get(edit.doc));
  pending.set(edit.doc, setTimeout(() => {
    pending.delete(edit.doc);
    save(edit);
  }, 60000));
}

for (let seq = 0; seq < 4000; seq++) onEdit(new Edit(seq));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
