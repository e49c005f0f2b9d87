// Leak pattern: listener accumulation. Every call subscribes a new 'tick' listener on the
// long-lived module-level `emitter` and never removes it; each listener captures its own
// TickState. Known by construction: exactly 1500 TickState objects, each retained through
// emitter._events.tick[i] -> closure -> context. Ends with process.abort() from a timer.
'use strict';
const { EventEmitter } = require('events');

class TickState {
  constructor(i) {
    this.seq = i;
    this.samples = [i, i + 1, i + 2];
  }
}

const emitter = new EventEmitter();
emitter.setMaxListeners(0);

function subscribe(i) {
  const state = new TickState(i);
  emitter.on('tick', function onTick() {
    state.seq += 1;
  });
}

for (let i = 0; i < 1500; i++) subscribe(i);
globalThis.appEmitter = emitter;

setTimeout(function crash() {
  process.abort();
}, 5);
