// Direct referrers (`--referrers`): one `ReferredTarget` object referenced from exactly four
// user-level places, known by construction:
//   a class field          Holder.owner
//   an array element       `slots[1]`
//   a closure context var  `captured` of capture()'s context
//   a Map value            `registry.get('referrers-key')`
// and a second Map entry whose key is a GitHub-token-shaped string (built at run time), which
// every output must redact,
// plus one weak reference (a WeakRef) that must be marked weak. Writes a heap snapshot, then
// aborts from a timer, so the same heap is seen as a snapshot and as a core.
'use strict';
const v8 = require('v8');

class ReferredTarget {
  constructor() {
    this.label = 'the-target';
  }
}

class Holder {
  owner = null;
}

function capture(captured) {
  return function readCaptured() {
    return captured;
  };
}

function build() {
  const target = new ReferredTarget();
  const holder = new Holder();
  holder.owner = target;
  const slots = [{ first: true }, target];
  const registry = new Map();
  registry.set('referrers-key', target);
  registry.set(['ghp', 'Zx9Q2w8E7r6T5y4U3i2O1p0AaSsDdFfGgHhJ'].join('_'), target);
  const reader = capture(target);
  const weak = new WeakRef(target);
  return { holder, slots, registry, reader, weak };
}

globalThis.referrersKept = build();

setTimeout(function snapshotThenAbort() {
  v8.writeHeapSnapshot('referrers.heapsnapshot');
  process.abort();
}, 10);
