// Block scopes: variables a closure captures from an `if` block. V8's snapshot names a
// function's context variables but leaves a block's unnamed; the loader names them from the
// block's scope info when every slot holds an object. Known by construction: in the first
// block `roster` (a Map) and `aliases` (an Array), both objects; in the second a Smi
// `count` before the Map `tally`, which a name-by-position would call `count`.
'use strict';
const v8 = require('v8');

const keep = [];
if (keep.length === 0) {
  const roster = new Map([['ada', { role: 'admin' }]]);
  const aliases = ['ada', 'lovelace'];
  keep.push(() => roster.size + aliases.length);
}
if (keep.length === 1) {
  let count = 0;
  const tally = new Map([['x', { n: 1 }]]);
  keep.push(() => { count += 1; return tally.size + count; });
}
setTimeout(() => {
  v8.writeHeapSnapshot('blocks.heapsnapshot');
  process.exit(keep.length === 2 ? 0 : 1);
}, 10);
