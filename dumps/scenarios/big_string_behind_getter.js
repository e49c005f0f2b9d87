// One string built with += in a module variable `auditLog`, exported only through a getter
// (`module.exports.log`): 20,000 lines concatenated into one rope. The big object is the
// string, named by its variable, not the exports object or the getter that holds it.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

let auditLog = '';

function audit(n) {
  auditLog += `${new Date(1700000000000 + n).toISOString()} user${n} did ${'a'.repeat(80)}\n`;
}

for (let n = 0; n < 20000; n++) audit(n);
module.exports = { get log() { return auditLog; } };

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (auditLog.length > 1000) process.abort();
