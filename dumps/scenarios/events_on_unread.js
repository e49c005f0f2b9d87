// A leak: an `events.on(bus, 'tick')` async iterator that nobody pulls from. Every emit
// is buffered in the iterator's `unconsumedEvents`, which since Node 20 is Node's own
// FixedQueue: a linked run of FixedCircularBuffer segments of 2,047 entries each (Node 18
// uses a plain Array). Known by construction: 19,999 TickEvent objects, all held by that
// one queue; 5,000 Quote objects in a second iterator's queue of three segments, the
// fewest that make a run of them below the queue; and 3,000 Frame objects queued by an
// iterator on an EventTarget (whose event the tool does not look up). Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes
// a heap snapshot.
'use strict';

const { EventEmitter, on } = require('events');

class TickEvent {
  constructor(seq) {
    this.seq = seq;
    this.source = 'scheduler';
    this.at = 1700000000000 + seq;
  }
}

class Quote {
  constructor(seq) {
    this.symbol = `SYM${seq % 50}`;
    this.price = 100 + (seq % 17);
  }
}

const bus = new EventEmitter();
const ticks = on(bus, 'tick'); // the consumer loop that would read it was never started
const feed = new EventEmitter();
const quotes = on(feed, 'quote');
const target = new EventTarget();
const frames = on(target, 'frame');

class Frame {
  constructor(seq) {
    this.seq = seq;
    this.width = 640;
  }
}

for (let seq = 0; seq < 19999; seq++) bus.emit('tick', new TickEvent(seq));
for (let seq = 0; seq < 5000; seq++) feed.emit('quote', new Quote(seq));
for (let seq = 0; seq < 3000; seq++) {
  const event = new Event('frame');
  event.frame = new Frame(seq);
  target.dispatchEvent(event);
}
module.exports = { bus, ticks, feed, quotes, target, frames };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
