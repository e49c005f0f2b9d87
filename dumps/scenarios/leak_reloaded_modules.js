// Leak pattern: hot reload by `delete require.cache[file]` and `require(file)` again, 300
// times. Each require makes a new Module and pushes it to the parent module's `children`,
// which keeps every old Module and its exports (1,000 objects each). Known by construction:
// 300 Modules in the main module's `children`. The module file is written to a temporary
// directory and removed before the crash. Ends with process.abort() from a timer.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-reload-'));
const file = path.join(dir, 'pricing.js');
fs.writeFileSync(file, 'module.exports = { rows: Array.from({ length: 1000 }, (_, k) => ({ k })) };\n');
let pricing;
for (let i = 0; i < 300; i++) {
  delete require.cache[file];
  pricing = require(file);
}
fs.rmSync(dir, { recursive: true });

setTimeout(function crash() {
  if (pricing.rows.length !== 1000) throw new Error('unreachable');
  process.abort();
}, 5);
