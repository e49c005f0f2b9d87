// Big object: a memoize() helper keeps every result in a Map `cache` of the closure it
// returns. Two memoized functions are exported; `renderProfile`'s cache holds 3,000 pages
// of 8 KB (24 MB), `avatarUrl`'s ten short strings. The memory is one closure's `cache`,
// not the exports object or the function around it. Ends with process.abort() from a
// timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

function memoize(compute) {
  const cache = new Map();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key);
  };
}

module.exports.renderProfile = memoize((id) => Buffer.alloc(8000, 97 + (id % 26)).toString('latin1') + id);
module.exports.avatarUrl = memoize((id) => `/avatars/${id}.png`);
for (let i = 0; i < 3000; i++) module.exports.renderProfile(i);
for (let i = 0; i < 10; i++) module.exports.avatarUrl(i);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
