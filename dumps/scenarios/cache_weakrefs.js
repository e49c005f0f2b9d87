// Control: a cache of WeakRefs cleaned by a FinalizationRegistry. The Map holds 5,000 WeakRef
// wrappers strongly (until the registry's callbacks run after a GC); the Thumb objects they
// point to are held only weakly, so a Thumb is never a suspect.
// Known by construction: 5000 WeakRef in `cache`, 5000 Thumb held only by them. Ends with
// process.abort() from a timer.
'use strict';

class Thumb {
  constructor(i) {
    this.id = i;
    this.pixels = new Array(32).fill(i);
  }
}

const cache = new Map();
const registry = new FinalizationRegistry((key) => {
  if (!cache.get(key)?.deref()) cache.delete(key);
});

function get(i) {
  const hit = cache.get(i)?.deref();
  if (hit) return hit;
  const thumb = new Thumb(i);
  cache.set(i, new WeakRef(thumb));
  registry.register(thumb, i);
  return thumb;
}

let sum = 0;
for (let i = 0; i < 5000; i++) sum += get(i).id;
globalThis.sum = sum;
globalThis.cache = cache;
setTimeout(function crash() {
  process.abort();
}, 5);
