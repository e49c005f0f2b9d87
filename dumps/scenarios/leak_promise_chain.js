// Leak pattern: a serial work queue `tail = tail.then(() => work(item))` whose first step
// waits for a 'ready' event that never comes (events.once on a global bus): 3,999 later
// steps wait in a chain of promises, each holding its WorkItem in its callback. Known by
// construction. Ends with process.abort() from a timer.
'use strict';

const { EventEmitter, once } = require('events');

class WorkItem {
  constructor(id) {
    this.id = id;
    this.payload = { n: id, tags: ['a', 'b'] };
  }
}

globalThis.bus = new EventEmitter();
let tail = Promise.resolve();
function enqueue(item) {
  tail = tail.then(() => (item.id === 0 ? once(globalThis.bus, 'ready') : item.payload.n));
}
for (let i = 0; i < 4000; i++) enqueue(new WorkItem(i));

setTimeout(() => process.abort(), 50);
