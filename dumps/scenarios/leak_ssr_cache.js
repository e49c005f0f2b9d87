// Leak pattern: a server-side-rendering cache that is a plain object used as a dictionary.
// Every rendered URL adds a property to `ssrCache`; with 80,000 keys V8 keeps the object in
// dictionary mode (a NameDictionary backing store). Nothing is ever evicted.
// Known by construction: exactly 80000 ProductEntity objects. Ends with process.abort()
// (with the argument `snapshot`: writes a heap snapshot and exits; `both`: writes one, then
// aborts, so the core and the snapshot are of the same process).
'use strict';

class ProductEntity {
  constructor(i) {
    this.sku = `sku-${i}`;
    this.price = i + 0.5;
  }
}

const ssrCache = {};

function render(i) {
  const url = `/product/${i}`;
  if (!(url in ssrCache)) ssrCache[url] = new ProductEntity(i);
  return ssrCache[url].sku;
}

for (let i = 0; i < 80000; i++) render(i);
globalThis.renderProduct = render;

setTimeout(function crash() {
  if (process.argv[2]) require('v8').writeHeapSnapshot(); // `snapshot` or `both`
  if (process.argv[2] === 'snapshot') return;
  process.abort();
}, 5);
