// Leak pattern: one listener fills a collection. An EventTarget `bus` gets ONE 'order'
// listener, added in an `if` block; the listener remembers every order it has seen in
// `seen`, a Map declared in that block, and never forgets one. 10,000 OrderRecords pile up
// in `seen`, not in the listener list (it has one entry): the fix is evicting from `seen`,
// not removing listeners. The block matters too: V8's heap snapshot does not name a block's
// variables, so a snapshot reads the name from the block's scope info. Known by
// construction: 10,000 OrderRecord objects in the Map `seen`. Ends with process.abort()
// from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class OrderRecord {
  constructor(id) {
    this.id = id;
    this.lines = `order ${id}: `.padEnd(400, '.') + id;
  }
}

const bus = new EventTarget();
module.exports.bus = bus;
if (process.env.NODE_ENV !== 'test') {
  const seen = new Map();
  bus.addEventListener('order', (event) => {
    if (!seen.has(event.orderId)) seen.set(event.orderId, new OrderRecord(event.orderId));
  });
}
for (let id = 0; id < 10000; id++) {
  const event = new Event('order'); // (CustomEvent is no global on Node 18)
  event.orderId = id;
  bus.dispatchEvent(event);
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
