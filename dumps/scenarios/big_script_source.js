// Control: a bundled service. One large script file (about 1.4 MB of source, written here
// and loaded with require, as a bundle would be), a small heap, no leak. V8 keeps a
// script's source for lazy compilation: code, not data the program holds, so it is never
// a big-object suspect, though it is a fifth to a third of this heap.
// Ends with process.abort().
'use strict';

const fs = require('fs');
const path = require('path');

const parts = [];
for (let i = 0; i < 12000; i++) {
  parts.push(`function helper${i}(x) { /* generated helper ${i} of the bundle, padding */ return x + ${i}; }`);
}
parts.push('module.exports = (x) => helper1(x) + helper11999(x);');
const bundle = path.join(__dirname, 'bundle.generated.js');
fs.writeFileSync(bundle, parts.join('\n'));
parts.length = 0;

globalThis.run = require(bundle);

setTimeout(() => process.abort(), 5);
