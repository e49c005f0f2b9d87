// Leak pattern: a batch awaits Promise.all over 3,000 fetches; one of them waits on a promise
// that is never settled, so Promise.all never settles either, and its values array keeps the
// 2,999 results that did arrive. No container of the program holds them: Promise.all's
// resolve-element callback (a builtin closure) does, as a reaction on the hung fetch.
// Known by construction: exactly 2,999 FetchResult. Ends with process.abort() (with the
// argument `snapshot`: writes a heap snapshot and exits; `both`: writes one, then aborts).
'use strict';

class FetchResult {
  constructor(i) {
    this.url = `https://inventory.internal/items/${i}`;
    this.body = { i, data: 'x'.repeat(64) + i };
  }
}

let releaseHung;
const hung = new Promise((resolve) => { releaseHung = resolve; });

async function fetchOne(i) {
  if (i === 2999) await hung;
  return new FetchResult(i);
}

async function syncInventory() {
  const results = await Promise.all(Array.from({ length: 3000 }, (_, i) => fetchOne(i)));
  return results.length;
}

syncInventory();
globalThis.releaseHung = releaseHung;

setTimeout(function crash() {
  if (process.argv[2]) require('v8').writeHeapSnapshot(); // `snapshot` or `both`
  if (process.argv[2] === 'snapshot') return;
  process.abort();
}, 20);
