// Leak pattern: a debug log kept in one string with +=, never truncated. A search
// flattens it: one 3 MiB string, and ~20 MiB of dead pieces still in the core.
// Known by construction: the string `debugLog`, 60,000 lines. Ends with process.abort().
'use strict';

let debugLog = '';

function log(i) {
  debugLog += `${new Date(1700000000000 + i * 1000).toISOString()} request ${i} took ${i % 97} ms\n`;
}

for (let i = 0; i < 60000; i++) log(i);
debugLog.indexOf('never');
globalThis.getLog = () => debugLog;

setTimeout(() => process.abort(), 5);
