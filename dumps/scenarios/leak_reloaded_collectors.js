// Leak pattern: hot reload of a metrics collector that subscribes to a module-level emitter.
// Each reload (`delete require.cache[file]`, `require(file)`) makes a new copy whose
// listener `onData` on `hub` (a variable of the main module, no global) closes over its own
// `samples` (2,000 instances of the collector's class `Sample`); old listeners are never
// removed, and the main module's `children` keeps every copy's Module too. Known by
// construction: 200 listeners on `hub` for event 'data', 400,000 Samples, held both by the
// 200 Modules in `require.main.children` and by `hub._events.data`. Field finding
// (December 2026): the reason said the other holder was `execution_async_resources`
// (async hooks' list of the resources running: the timer that aborts), which the path
// avoiding `require.main.children` passes first. The collector file is written to a
// temporary directory and removed before the crash. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { EventEmitter } = require('events');

const hub = new EventEmitter();
hub.setMaxListeners(0);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-collector-'));
const file = path.join(dir, 'collector.js');
fs.writeFileSync(file, `'use strict';
class Sample { constructor(i) { this.i = i; this.t = Date.now(); } }
const samples = Array.from({ length: 2000 }, (_, i) => new Sample(i));
module.exports = (hub) => hub.on('data', function onData(d) {
  samples.push(new Sample(d));
  samples.shift();
});
`);
for (let i = 0; i < 200; i++) {
  delete require.cache[file];
  require(file)(hub);
}
fs.rmSync(dir, { recursive: true });

setTimeout(() => {
  if (hub.listenerCount('data') !== 200) throw new Error('listeners lost');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
