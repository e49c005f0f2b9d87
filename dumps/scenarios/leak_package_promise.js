// Leak: 3,000 callbacks wait on one promise of an installed promise package that never
// settles, each capturing a Job. The package (written to a temporary `node_modules` and
// removed before the crash) keeps callbacks and child promises in the promise's own indexed
// properties, as bluebird does, and its resolver captures the promise as `promise`.
// Known by construction: 3,000 Job objects, kept by closures in the promise the program
// put in `globalThis.gate`. Field finding (bluebird, December 2026): the suspect was
// "3,001 Promise objects are linked to one another ... the Promise `promise`", led by the
// package's class and named by the package's variable. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-package-'));
const pkg = path.join(dir, 'node_modules', 'tiny-promise');
fs.mkdirSync(pkg, { recursive: true });
fs.writeFileSync(path.join(pkg, 'index.js'), `'use strict';
function Promise(executor) {
  this._state = 0;
  this._length = 0;
  this._handler0 = undefined;
  this._promise0 = undefined;
  const promise = this;
  executor(function resolve(value) { promise._settle(value); });
}
Promise.prototype._settle = function (value) { this._state = 1; this._value = value; };
Promise.prototype.then = function (onFulfilled) {
  const child = new Promise(function () {});
  const i = this._length++;
  if (i === 0) {
    this._handler0 = onFulfilled;
    this._promise0 = child;
  } else {
    this[2 * i - 2] = onFulfilled;
    this[2 * i - 1] = child;
  }
  return child;
};
module.exports = Promise;
`);
const Promise = require(pkg);
fs.rmSync(dir, { recursive: true });

class Job {
  constructor(i) {
    this.id = i;
    this.spec = { name: `job${i}`, steps: [1, 2, 3] };
    this.log = `queued ${i}`;
  }
}

let release;
const gate = new Promise((resolve) => { release = resolve; });
for (let i = 0; i < 3000; i++) {
  const job = new Job(i);
  gate.then(() => job.spec.name);
}
globalThis.gate = gate;

setTimeout(function crash() {
  if (typeof release !== 'function') throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
