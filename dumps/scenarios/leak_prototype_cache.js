// Leak: caches on prototypes, shared by every instance and never cleared. `Service` keeps
// 6,000 `Rendered` pages in `Service.prototype.cache` (a Map), used through instances; a
// constructor function `Legacy` that never made an instance keeps 3,000 `Visit`s in
// `Legacy.prototype.seen` (a Set). V8 keeps a function's prototype in one slot, behind the
// function's initial map once it has made an instance; a core named the first holder
// `(Service.prototype).cache`. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1
// it first writes a heap snapshot.
'use strict';

class Rendered {
  constructor(key) {
    this.key = key;
    this.html = `<main>${key}</main>`.repeat(4);
  }
}

class Service {
  render(key) {
    if (!this.cache.has(key)) this.cache.set(key, new Rendered(key));
    return this.cache.get(key);
  }
}
Service.prototype.cache = new Map();

function Legacy() {}
Legacy.prototype.seen = new Set();

class Visit {
  constructor(n) {
    this.path = `/page/${n}`;
    this.at = 1e12 + n;
  }
}

for (let n = 0; n < 6000; n++) new Service().render(`page/${n}`);
for (let n = 0; n < 3000; n++) Legacy.prototype.seen.add(new Visit(n));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  if (new Service() && Legacy) process.abort();
}, 5);
