// Big object: an observer list of the program's own (no EventEmitter). A `Feed` keeps every
// subscriber in `this.subscribers`; 3,000 widgets subscribe and never unsubscribe, each
// callback capturing an 8 KB `lastSeen` string of its own (24 MB). The memory is 3,000
// callbacks and what they capture, in `(global).feed.subscribers`. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Feed {
  constructor() { this.subscribers = []; }
  subscribe(callback) { this.subscribers.push(callback); }
  publish(item) { for (const callback of this.subscribers) callback(item); }
}

globalThis.feed = new Feed();
function mountWidget(i) {
  let lastSeen = Buffer.alloc(8000, 97 + (i % 26)).toString('latin1');
  feed.subscribe((item) => { lastSeen = lastSeen.slice(1) + item; });
}
for (let i = 0; i < 3000; i++) mountWidget(i);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
