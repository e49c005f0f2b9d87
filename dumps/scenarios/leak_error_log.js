// Leak pattern: every unhandled rejection's Error is kept "for the health page", forever.
// Node handles each rejection through a `{promise, reason}` record that is garbage by the
// time of the dump, yet still in the core and pointing at the live Error: it must not take
// the Errors away from the Array that really keeps them.
// Known by construction: exactly 4,000 Error objects in the module variable `recentErrors`.
// Ends with process.abort().
'use strict';

const recentErrors = [];
process.on('unhandledRejection', (err) => { recentErrors.push(err); });

async function callUpstream(i) {
  throw new Error(`upstream ${i} timed out after 3000 ms`);
}

for (let i = 0; i < 4000; i++) callUpstream(i);
globalThis.health = () => recentErrors.length;

setTimeout(() => process.abort(), 50);
