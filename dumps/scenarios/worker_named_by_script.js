// A Worker whose isolate loads a module the main thread loaded too: `shared-lib.js`, as a
// module preloaded with --require (an APM agent) is loaded by every isolate. The worker is
// named by its own script, `render-worker.js`, never by the shared one; a second worker
// runs eval code and is named `[worker eval]`, never its `-wrapper`. Both scripts are
// written at run time. Known by construction. Aborts once both workers are running.
'use strict';

const fs = require('fs');
const path = require('path');
const { Worker } = require('worker_threads');

fs.writeFileSync('shared-lib.js', 'module.exports = { started: Date.now() };\n');
fs.writeFileSync('render-worker.js', [
  "require('./shared-lib.js');",
  "const { parentPort } = require('worker_threads');",
  "globalThis.templates = Array.from({ length: 100 }, (_, i) => ({ i }));",
  "parentPort.postMessage('ready');",
  'setInterval(() => {}, 1000);',
].join('\n'));
require('./shared-lib.js');

let ready = 0;
function onReady() {
  if (++ready === 2) setTimeout(() => process.abort(), 20);
}
new Worker(path.resolve('render-worker.js')).on('message', onReady);
new Worker("require('worker_threads').parentPort.postMessage('ready'); setInterval(() => {}, 1000);",
  { eval: true }).on('message', onReady);
