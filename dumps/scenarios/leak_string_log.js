// Leak pattern: an in-memory audit log that is never flushed. A module-level array, closed
// over by the function that appends to it and exported by the main module, fills with
// 40,000 strings built per request. No class of the program piles up: the one big Array is
// the suspect, and what fills it is strings.
// Known by construction: exactly 40000 strings in `auditLog`. Ends with process.abort() from
// a timer.
'use strict';

const auditLog = [];

function audit(i) {
  const at = new Date(1700000000000 + i * 1000).toISOString();
  auditLog.push(`${at} user=${i % 313} action=view item=${i * 7}`);
}

for (let i = 0; i < 40000; i++) audit(i);
module.exports = { auditLog };
setTimeout(function crash() {
  process.abort();
}, 5);
