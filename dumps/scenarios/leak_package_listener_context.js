// Leak: 3,000 connections subscribe to an emitter of an installed package with
// `bus.on('message', conn.onMessage, conn)` and never unsubscribe. The package (written to
// a temporary `node_modules` and removed before the crash) keeps one record of its own
// class per listener, `{fn, context, once}`, in `_events[name]`, as eventemitter3 does.
// Known by construction: 3,000 Connection objects, each the context of one record in
// `(global).bus._events.message`. Field finding (eventemitter3, December 2026): the
// suspect was the package's 3,000 `EE` records, not the program's Connections. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-package-'));
const pkg = path.join(dir, 'node_modules', 'tiny-emitter');
fs.mkdirSync(pkg, { recursive: true });
fs.writeFileSync(path.join(pkg, 'index.js'), `'use strict';
function EE(fn, context, once) { this.fn = fn; this.context = context; this.once = once; }
function Emitter() { this._events = Object.create(null); }
Emitter.prototype.on = function (name, fn, context) {
  (this._events[name] || (this._events[name] = [])).push(new EE(fn, context || this, false));
  return this;
};
Emitter.prototype.emit = function (name, value) {
  for (const ee of this._events[name] || []) ee.fn.call(ee.context, value);
};
module.exports = Emitter;
`);
const Emitter = require(pkg);
fs.rmSync(dir, { recursive: true });

class Connection {
  constructor(i) {
    this.id = i;
    this.buffer = `${'x'.repeat(200)}${i}`;
    this.meta = { opened: i, peer: `10.0.0.${i % 255}` };
  }

  onMessage(m) { this.last = m; }
}

globalThis.bus = new Emitter();
for (let i = 0; i < 3000; i++) {
  const conn = new Connection(i);
  globalThis.bus.on('message', conn.onMessage, conn);
}

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
