// Heap out of memory: a module-level cache of Session objects that only grows.
// Run with --max-old-space-size=24. Expected: SIGABRT from node::OOMErrorHandler.
class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.payload = new Array(16).fill(id);
  }
}

const sessionCache = new Map();
let next = 0;
// It never yields to the event loop, so the heap runs out inside `remember`: with a timer
// per 5,000 sessions, the last GC sometimes ran as a task of the loop, with no JS frame on
// the stack (the demo's JS stack then said "degraded").
function remember() {
  for (;;) sessionCache.set(next, new Session(next++));
}
setTimeout(remember, 0);
