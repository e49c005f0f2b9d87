// Leak pattern: orders cached in a plain object under numeric ids. Numeric keys are
// elements, not named properties: a sparse, dictionary-mode elements store.
// Known by construction: exactly 30,000 Order objects in the module variable `ordersById`.
// Ends with process.abort().
'use strict';

class Order {
  constructor(i) {
    this.id = 100000 + i * 7;
    this.lines = [{ sku: `k${i}`, qty: 1 }];
  }
}

const ordersById = {};

for (let i = 0; i < 30000; i++) {
  const order = new Order(i);
  ordersById[order.id] = order;
}
globalThis.getOrder = (id) => ordersById[id];

setTimeout(() => process.abort(), 5);
