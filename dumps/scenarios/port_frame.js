// Our equivalent of llnode's frame scenario (test/fixtures/frame-scenario.js), run plainly.
// A strict-mode function declaring one parameter is called with none and calls
// process.abort(), a C++ API callback, so V8 leaves an exit frame above it. Its caller is
// a function expression whose name V8 has to infer (`assignedLater`), called from a
// prototype method, called from a sloppy-mode function at the top level.
// Expected: <exit> < stopWithAbort (this=undefined, arg0=undefined) < assignedLater
// < Gadget.run < startChain (this=the global proxy) < the module.
function stopWithAbort(neverPassed) {
  'use strict';
  process.abort();
  return [this, neverPassed]; // unreachable: keeps `this` and the parameter referenced
}

let assignedLater;
assignedLater = (() => function () {
  stopWithAbort();
})();

function Gadget() {
  this.label = 'gadget';
}

Gadget.prototype.run = function () {
  assignedLater();
};

function startChain() {
  new Gadget().run();
  return this; // unreachable after the abort: keeps `this` referenced
}

startChain();
