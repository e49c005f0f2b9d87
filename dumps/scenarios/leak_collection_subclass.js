// Leaks in subclasses of builtin collections: `globalThis.app.prices`, a PriceCache (a class
// that extends Map) of 5,000 Quote that nothing evicts, and `globalThis.app.queue`, a
// JobQueue (extends Array) of 3,000 Job. A report must say they grow like a Map and an
// Array, not "a long-lived holder keeps every instance". Ends with process.abort().
'use strict';

class PriceCache extends Map {
  lookup(sku) {
    return this.get(sku);
  }
}
class JobQueue extends Array {}

class Quote {
  constructor(i) {
    this.sku = `sku${i}`;
    this.price = i * 1.5;
  }
}
class Job {
  constructor(i) {
    this.id = i;
    this.args = [i];
  }
}

const prices = new PriceCache();
for (let i = 0; i < 5000; i++) prices.set(`sku${i}`, new Quote(i));
const queue = new JobQueue();
for (let i = 0; i < 3000; i++) queue.push(new Job(i));
globalThis.app = { prices, queue };

setTimeout(() => process.abort(), 5);
