// Leak pattern: memoized objects of V8's and Node's own classes, never evicted:
// 6,000 compiled RegExps in the Map `patterns` and 4,000 parsed URLs in the Map
// `urlCache`. Neither class is the program's, and neither was a suspect before
// December 2026. Known by construction. Ends with process.abort() from a timer.
'use strict';

const patterns = new Map();
for (let i = 0; i < 6000; i++) patterns.set(`t${i}`, new RegExp(`^/tenant/${i}/(\\w+)/(\\d+)$`));
const urlCache = new Map();
for (let i = 0; i < 4000; i++) {
  const text = `https://api.example.com/v2/items/${i}?page=${i % 10}`;
  urlCache.set(text, new URL(text));
}
globalThis.route = (tenant) => [patterns.get(tenant), urlCache.size];

setTimeout(() => process.abort(), 5);
