// Hostile shape: one plain-object document nested 6,000 levels deep, a different key at
// each level (so it is no list), kept as `globalThis.deep`. The suspect walk goes through
// plain wrappers; a recursion per level once overflowed Python's stack on it. Each level
// has a 300-byte note, so that the document (about 3 MB) is big enough to be a suspect.
// Known by construction. Ends with process.abort() from a timer.
'use strict';

let doc = { leaf: true };
for (let i = 0; i < 6000; i++) {
  doc = { [`k${i}`]: doc, n: i, note: Buffer.alloc(300, 97 + (i % 26)).toString('latin1') };
}
globalThis.deep = doc;

setTimeout(() => process.abort(), 5);
