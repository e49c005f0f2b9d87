// Leak pattern: hot reload of a plugin that subscribes to an application-wide bus. Each
// reload (`delete require.cache[file]`, `require(file)`) makes a new copy of the plugin
// whose listener on `bus` keeps its own `state` (2,000 records); the old listeners are
// never removed, and the parent module's `children` keeps every copy's Module and exports
// too. Two paths keep each copy, so no object but the roots dominates the records.
// Known by construction: 300 listeners `onTick` on `bus` for event 'tick', each closing
// over `state`: 600,000 plain records. Field finding (December 2026): no suspect at all on
// any Node, core or snapshot. The plugin file is written to a temporary directory and
// removed before the crash. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1
// it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { EventEmitter } = require('events');

const bus = new EventEmitter();
bus.setMaxListeners(0);
globalThis.bus = bus;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-plugin-'));
const file = path.join(dir, 'metrics-plugin.js');
fs.writeFileSync(file, `'use strict';
const state = Array.from({ length: 2000 }, (_, i) => ({ i }));
module.exports = function install(bus) {
  bus.on('tick', function onTick() { state.push({ i: state.length }); state.shift(); });
};
`);
for (let i = 0; i < 300; i++) {
  delete require.cache[file];
  require(file)(bus);
}
fs.rmSync(dir, { recursive: true });

setTimeout(function crash() {
  if (bus.listenerCount('tick') !== 300) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
