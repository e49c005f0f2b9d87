// One Map `compiled` of 5,000 functions made with new Function(), a template engine's cache
// that never evicts, filled by the main module before anything keeps a closure of it (as
// when a process dies of OOM at start-up): the module's context, which holds the Map, is
// held by the running frame alone. It is the program's variable all the same, and the Map
// (half the live heap) is a big-object suspect.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const compiled = new Map();

function compile(template) {
  if (!compiled.has(template)) {
    compiled.set(template, new Function('ctx', 'return `' + template + '` + ctx.name;'));
  }
  return compiled.get(template);
}

let out = 0;
for (let n = 0; n < 5000; n++) {
  out += compile(`Hello ${n} ${'x'.repeat(100)}`).call(null, { name: 'a' }).length;
}

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (out > 0 && compiled.size === 5000) process.abort();
