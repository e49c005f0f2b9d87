// Leak pattern outside the JS heap: a render queue posts 1,500 jobs (a 6 KB template each)
// to one end of a MessageChannel, and the other end is never read (no 'message' listener,
// never started). Each job waits serialized in the receiving port's C++ queue (about 9 MB
// in all); the JS heap holds only the two ports (`renderQueue`, exported). Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const { MessageChannel } = require('worker_threads');

const renderQueue = new MessageChannel();

for (let job = 0; job < 1500; job++) {
  renderQueue.port1.postMessage({
    job,
    template: `<section id="job-${job}">`.padEnd(6 * 1024, '<p>row</p>'),
  });
}
module.exports = { renderQueue };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
