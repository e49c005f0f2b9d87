// One big collection of numbers: `globalThis.dedupe.processed`, a Set of 500,000 numeric ids
// (small integers, kept inline in the Set's table: no object per entry). Its memory is its
// own table, which a leak report must say rather than nothing. Ends with process.abort().
'use strict';

const processed = new Set();
for (let i = 0; i < 500000; i++) processed.add(i * 7);
globalThis.dedupe = { processed };

setTimeout(() => process.abort(), 5);
