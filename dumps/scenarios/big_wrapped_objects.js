// Two big objects, neither a pile of one class of the program:
//  - a Set of 80,000 revoked-token strings, kept as the one property of a plain
//    namespace object `globalThis.auth` (the Set is what to name, not its wrapper);
//  - a parsed feature-flag document of 30,000 properties, held by the closure `getFlag`
//    (a plain object in dictionary mode: its size is in its properties).
// Known by construction. Ends with process.abort() from a timer.
'use strict';

const revoked = new Set();
for (let i = 0; i < 80000; i++) revoked.add(`tok_${i.toString(36)}_${(i * 2654435761 >>> 0).toString(16)}`);
globalThis.auth = { revoked };

const doc = {};
for (let i = 0; i < 30000; i++) doc[`flag_${i}`] = { on: i % 3 === 0, rollout: i % 100 };
const flags = JSON.parse(JSON.stringify(doc));
globalThis.getFlag = (k) => flags[k];

setTimeout(() => process.abort(), 5);
