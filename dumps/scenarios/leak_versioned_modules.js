// Leak pattern: a template loader that writes each new version of a template to its own
// file (`orders.v17.js`) and requires it, never deleting an old one from require.cache.
// Every version stays loaded, kept both by require.cache and by the main module's
// `children`, with its exports (one Template of about 75 KB each). Known by construction:
// 300 Template objects, 300 Modules, nothing deleted from the cache. The files are written
// to a temporary directory and removed before the crash. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-versions-'));

function writeTemplate(name, version) {
  const file = path.join(dir, `${name}.v${version}.js`);
  fs.writeFileSync(file, `'use strict';
class Template {
  constructor() {
    this.version = ${version};
    this.html = Array.from({ length: 2000 }, (_, i) => '<tr><td>' + i + '</td></tr>').join('') + ${version};
  }
}
module.exports = new Template();
`);
  return file;
}

let current = null;
for (let version = 0; version < 300; version++) {
  current = require(writeTemplate('orders', version));
}
fs.rmSync(dir, { recursive: true });

setTimeout(function crash() {
  if (current.version !== 299) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
