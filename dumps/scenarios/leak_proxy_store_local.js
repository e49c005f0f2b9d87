// Leak pattern: a store behind a Proxy in a module variable `store`, whose handler writes
// every set into its target; 20,000 entries are never removed. When the core is taken the
// Proxy is also in a register of the running module code (the check before the abort reads
// `store`), so the shortest path to it is a stack slot: the holder must still be named
// `store.[[Target]]`, as the program reads it, and not by the stack slot's index.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Entry {
  constructor(key) {
    this.key = key;
    this.body = 'v'.repeat(300) + key;
  }
}

const target = {};
const store = new Proxy(target, { set(t, key, value) { t[key] = value; return true; } });

function put(key, value) {
  store[key] = value;
}

for (let n = 0; n < 20000; n++) put('key' + n, new Entry(n));

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
if (Object.keys(store).length === 20000) process.abort();
