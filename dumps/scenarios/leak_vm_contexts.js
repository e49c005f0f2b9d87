// Leak pattern: a template sandbox that makes one `vm` context per render and keeps every
// context in a global Array `sandboxes` (as test runners and SSR sandboxes leak them). Each
// of the 150 contexts is a whole JavaScript global (its builtins, ~100 KiB) plus the
// template's compiled functions and a 20 KB page string. Nothing in the JS heap points from
// a sandbox to its context (Node's C++ ContextifyContext does), so a core must rebuild that
// link. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap
// snapshot (which collects garbage), so the core and the snapshot hold the same live heap.
'use strict';
const vm = require('vm');

const template = new vm.Script(
  'function render() { return header + page.slice(0, 10); }\nvar header = "<h1>" + title;\n');

globalThis.sandboxes = [];
for (let i = 0; i < 150; i++) {
  const ctx = vm.createContext({ title: 'page ' + i, page: JSON.stringify({ i, rows: Array(2000).fill(i) }) });
  template.runInContext(ctx);
  sandboxes.push(ctx);
}

setTimeout(function crash() {
  if (sandboxes.length !== 150) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
