// One big parsed document: a 60,000-row catalog read with JSON.parse into
// `globalThis.config`. Each row is a plain object with a `tags` Array, so there are as many
// Arrays as rows, and one more, `catalog.rows`, holding them all. Known by construction.
// Ends with process.abort() from a timer.
'use strict';

const rows = [];
for (let i = 0; i < 60000; i++) rows.push({ id: i, name: `item ${i}`, tags: ['x', 'y'], price: i / 3 });
globalThis.config = JSON.parse(JSON.stringify({ catalog: { rows }, version: 3 }));

setTimeout(() => process.abort(), 5);
