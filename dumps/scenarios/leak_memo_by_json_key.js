// Leak pattern: a memoized function whose cache is a plain object keyed by
// JSON.stringify(args), never evicted. Each cached result is a plain object with an Array
// of 20 line objects, so what piles up by class is 4,000 Arrays, one in each value's
// `.lines`, not the keys' values themselves. Known by construction: 4,000 keys in `memo`,
// each value holding one `.lines` Array. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

const memo = {};

function quote(args) {
  const key = JSON.stringify(args);
  if (!(key in memo)) {
    const lines = [];
    for (let i = 0; i < 20; i++) {
      lines.push({ sku: `${args.sku}-${i}`, qty: args.qty + i, note: `line ${i} `.padEnd(60, '.') });
    }
    memo[key] = { total: args.qty * 20, currency: 'EUR', lines };
  }
  return memo[key];
}

module.exports.quote = quote;
for (let n = 0; n < 4000; n++) quote({ sku: `SKU${n}`, qty: n % 7, region: 'eu' });

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
