// Large leak for benchmarks/bench_core_graph.py: `node leak_big.js N` puts exactly N
// (default 3,000,000) UserProfile objects into the module-level Map `userCache`, about
// 1.2 GB of JS heap in total, then aborts from a timer.
'use strict';

class UserProfile {
  constructor(i) {
    this.id = i;
    this.name = `user-${i}`;
    this.email = `user-${i}@example.com`;
    this.tags = [i, i + 1, i + 2, i + 3];
  }
}

const userCache = new Map();
const n = Number(process.argv[2] || 3000000);
for (let i = 0; i < n; i++) userCache.set(`user-${i}`, new UserProfile(i));
module.exports = { size: () => userCache.size };

setTimeout(function crash() {
  process.abort();
}, 5);
