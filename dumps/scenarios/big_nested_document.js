// Hostile shape: one plain-object document nested 6,000 levels deep, a different key at
// each level (so it is no list), kept as `globalThis.deep`. The suspect walk goes through
// plain wrappers; a recursion per level once overflowed Python's stack on it. Known by
// construction. Ends with process.abort() from a timer.
'use strict';

let doc = { leaf: true };
for (let i = 0; i < 6000; i++) doc = { [`k${i}`]: doc, n: i };
globalThis.deep = doc;

setTimeout(() => process.abort(), 5);
