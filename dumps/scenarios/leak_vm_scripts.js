// Leak: a template engine compiles one vm.Script per template source and keeps every one
// in a Map, as caches of compiled templates do. Known by construction: 400 Script objects
// in the Map `compiled`, each keeping its compiled code and its 500-character source.
// From Node 24 a Script's C++ object (ContextifyScript) lives on V8's C++ heap and holds
// the compiled script through a traced handle. Field finding (December 2026): Node's
// Script class was no candidate on any version; on Node 24/26 cores the compiled code
// (800 KB) was read as garbage, and a Node 24/26 snapshot names each Script by its C++
// class, `Node / ContextifyScript`. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const vm = require('vm');

const compiled = new Map();
function render(template, data) {
  let script = compiled.get(template);
  if (!script) {
    script = new vm.Script(`(function (d) { return ${JSON.stringify(template)}` +
                           '.replace(/{{(\\w+)}}/g, (_, k) => d[k]); })');
    compiled.set(template, script);
  }
  return script.runInThisContext()(data);
}

for (let i = 0; i < 400; i++) {
  render(`<div class="card-${i}">{{title}} ${'lorem ipsum '.repeat(40)}${i}</div>`,
         { title: `t${i}` });
}

setTimeout(function crash() {
  if (compiled.size !== 400) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
