// Benchmark heap: a module-level Map of N `Session`s (N = argv[2], default 250000), each with a
// string, a small array, a nested object and a closure; written as big.heapsnapshot.
// 250k Sessions give a ~200 MB snapshot, 1.1M about 800 MB (needs ~6 GB RAM and
// --max-old-space-size=6000).
'use strict';
const v8 = require('v8');

class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.tags = ['a', `t${id % 100}`];
    this.meta = { created: id * 1.5, ip: `10.${id % 250}.0.1` };
    this.touch = () => this.id;
  }
}

const sessions = new Map();
const n = Number(process.argv[2] || 250000);
for (let i = 0; i < n; i++) sessions.set(i, new Session(i));
setTimeout(() => {
  v8.writeHeapSnapshot('big.heapsnapshot');
  process.exit(sessions.size === n ? 0 : 1);
}, 10);
