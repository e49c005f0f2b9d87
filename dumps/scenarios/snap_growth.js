// Two snapshots of one process for heap diffing: `1-before` with 1000 `Order`s in the
// module-level `orders` array, then 2000 more `Order`s and 500 `Invoice`s (a type new in the
// second snapshot), then `2-after`. Known by construction: Order grows by exactly 2000,
// Invoice is new with 500.
'use strict';
const v8 = require('v8');

class Order {
  constructor(i) {
    this.ref = `o-${i}`;
  }
}
class Invoice {
  constructor(i) {
    this.ref = `i-${i}`;
  }
}

const orders = [];
const invoices = [];
for (let i = 0; i < 1000; i++) orders.push(new Order(i));
setTimeout(() => {
  v8.writeHeapSnapshot('1-before.heapsnapshot');
  for (let i = 1000; i < 3000; i++) orders.push(new Order(i));
  for (let i = 0; i < 500; i++) invoices.push(new Invoice(i));
  setTimeout(() => {
    v8.writeHeapSnapshot('2-after.heapsnapshot');
    process.exit(0);
  }, 10);
}, 10);
