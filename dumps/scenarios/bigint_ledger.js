// Account balances as BigInt: a global Map `ledger` of 100,000 BigInts of 128 bits (two
// digits each). V8 does not export BigInt's instance type; a core must still show them as
// `(bigint)`, as a heap snapshot does, and never read their digits as pointers. Ends with
// process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot
// (which collects garbage), so the core and the snapshot hold the same live heap.
'use strict';

globalThis.ledger = new Map();
for (let i = 0; i < 100000; i++) ledger.set(`acct${i}`, BigInt(i + 1) * 10n ** 30n);

setTimeout(function crash() {
  if (ledger.size !== 100000) throw new Error('unreachable');
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
