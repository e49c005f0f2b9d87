// Leak pattern: listener accumulation on a long-lived emitter, each listener a closure that
// captures per-request state. Every request subscribes to the module-level `bus` emitter's
// 'config-changed' event and never unsubscribes. Known by construction: exactly 1200
// `RequestContext` instances, each captured by one of the 1200 listeners.
'use strict';
const { EventEmitter } = require('events');
const v8 = require('v8');

class RequestContext {
  constructor(id) {
    this.id = `req-${id}`;
    this.samples = new Array(48).fill(id);
  }
}

const bus = new EventEmitter();
bus.setMaxListeners(0);

function handleRequest(id) {
  const ctx = new RequestContext(id);
  bus.on('config-changed', function onConfigChanged() {
    return ctx.id; // captures ctx: the listener keeps the whole request alive
  });
}

for (let i = 0; i < 1200; i++) handleRequest(i);
const keepAlive = setInterval(() => bus.emit('tick'), 1000);
setTimeout(() => {
  v8.writeHeapSnapshot('listeners.heapsnapshot');
  clearInterval(keepAlive);
  process.exit(0);
}, 10);
