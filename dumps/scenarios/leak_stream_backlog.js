// Leak pattern: a Readable that is pushed into and never read: 5,000 Buffers (small ones,
// slices of Node's 8 KiB pools) wait in its queue, `feed._readableState.buffer`. Known by
// construction. Ends with process.abort() from a timer.
'use strict';

const { Readable } = require('stream');

globalThis.feed = new Readable({ read() {} });
for (let i = 0; i < 5000; i++) {
  globalThis.feed.push(Buffer.from(`event ${i} ${'y'.repeat(200)}`));
}

setTimeout(() => process.abort(), 5);
