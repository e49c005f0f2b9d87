// Leak pattern: a FinalizationRegistry in a local of the running module code (no closure
// captures it) keeps 5,000 held values, one per registered Handle that the program keeps
// alive. Only a stack slot holds the registry when the core is taken: the holder is said
// as `(FinalizationRegistry)`, as a snapshot says it, not by the stack slot's index.
// Known by construction. Ends with process.abort() at the end of the script; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Handle {
  constructor(n) { this.n = n; }
}

class CleanupInfo {
  constructor(n) {
    this.n = n;
    this.path = `/tmp/upload-${n}-${'p'.repeat(300)}`;
  }
}

const registry = new FinalizationRegistry((info) => { info.n = -1; });
const live = [];
for (let n = 0; n < 5000; n++) {
  const handle = new Handle(n);
  registry.register(handle, new CleanupInfo(n));
  live.push(handle);
}

if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
// read after the snapshot, so the register that holds the registry stays live until the abort
if (live.length === 5000 && registry instanceof FinalizationRegistry) process.abort();
