// Control, not a leak: a WeakMap-only cache. Each request object is used as a WeakMap key and
// then dropped, so every cached SessionMeta is kept only by the WeakMap entry of a key that
// nothing else references: V8 would free them all at the next full GC. The run is kept short
// enough that no GC runs before the abort, so the entries are still in the heap (uncollected),
// and a tool that treats the WeakMap's table as a strong holder reports an unbounded leak.
// A second WeakMap has live keys (kept in `liveRequests`): its 50 LiveMeta values are alive.
// With the argument `snapshot` it writes a heap snapshot (after a full GC) instead of aborting.
'use strict';

class SessionMeta {
  constructor(i) {
    this.id = i;
    this.note = `meta-${i}`;
  }
}

class LiveMeta {
  constructor(i) {
    this.id = i;
  }
}

const metaCache = new WeakMap();
const liveCache = new WeakMap();
const liveRequests = [];

function handle(i) {
  const req = { id: i };
  metaCache.set(req, new SessionMeta(i));
}

for (let i = 0; i < 3000; i++) handle(i);
for (let i = 0; i < 50; i++) {
  const req = { id: i, live: true };
  liveRequests.push(req);
  liveCache.set(req, new LiveMeta(i));
}
globalThis.metaCache = metaCache;
globalThis.liveCache = liveCache;
globalThis.liveRequests = liveRequests;

setTimeout(function crash() {
  if (process.argv[2] === 'snapshot') return void require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
