// Leak pattern: a module-level Map cache that only grows. `userCache` maps "user-<i>" to a
// UserProfile and is never evicted. Known by construction: exactly 2000 UserProfile objects,
// all held by userCache (a variable of this module's function context, kept alive by the
// exported `lookup` closure and the pending timer). Ends with process.abort() from a timer.
'use strict';

class UserProfile {
  constructor(i) {
    this.id = i;
    this.name = `user-${i}`;
    this.tags = ['a', 'b', String(i % 7)];
  }
}

const userCache = new Map();

function lookup(id) {
  return userCache.get(`user-${id}`);
}

for (let i = 0; i < 2000; i++) userCache.set(`user-${i}`, new UserProfile(i));
module.exports = { lookup };

setTimeout(function crash() {
  process.abort();
}, 5);
