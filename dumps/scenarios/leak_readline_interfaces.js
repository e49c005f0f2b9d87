// Leak: a prompt helper makes a readline Interface on a shared input stream for each
// question and never closes it. Each Interface listens to the input ('data', 'end',
// 'error') until rl.close(), so 300 Interfaces, with their histories, stay on the input's
// listener lists. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first
// writes a heap snapshot.
'use strict';

const readline = require('node:readline');
const { PassThrough } = require('node:stream');

const input = new PassThrough();
globalThis.input = input;

function ask(n) {
  const rl = readline.createInterface({ input, terminal: false });
  rl.history = Array.from({ length: 30 }, (_, k) => `command ${n}:${k}`);
  return rl;
}

for (let n = 0; n < 300; n++) ask(n);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
