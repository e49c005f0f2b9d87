// One Array of 10,000 request ids of 20 characters, sliced out of one ~2.4 MB log text. V8
// keeps a slice of 13 or more characters as a pointer into the string it was cut from, so
// the ids keep the whole text alive: the Array's memory is that one string, which none of
// its elements holds by itself. Known by construction. Ends with process.abort().
'use strict';

const text = Array.from({ length: 50000 },
  (_, i) => `req-${String(i).padStart(8, '0')} GET /x ${'z'.repeat(20)}`).join('\n');
const ids = [];
for (let i = 0; i < 10000; i++) {
  const at = text.indexOf('req-', i * 200);
  ids.push(text.slice(at, at + 20));
}
globalThis.seen = { ids };

setTimeout(() => process.abort(), 5);
