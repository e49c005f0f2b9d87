// Leak: a memoize() helper keeps every result in a Map `cache` of the function it returns,
// and `getQuote` is called with a new day each time: 20,000 `Quote`s pile up. The holder is
// a variable named `cache`, which says little until it says whose: `getQuote`'s. Ends
// with process.abort() from a timer; with WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

function memoize(compute) {
  const cache = new Map();
  return function memoized(...args) {
    const key = args.join('|');
    if (!cache.has(key)) cache.set(key, compute(...args));
    return cache.get(key);
  };
}

class Quote {
  constructor(symbol, day) {
    this.symbol = symbol;
    this.day = day;
    this.prices = [day * 1.5, day * 2.5, day * 3.5];
  }
}

const getQuote = memoize((symbol, day) => new Quote(symbol, day));
for (let day = 0; day < 20000; day++) getQuote(`SYM${day % 50}`, day);

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  if (getQuote('SYM0', 0)) process.abort();
}, 5);
