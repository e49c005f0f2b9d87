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
function remember() {
  for (let i = 0; i < 5000; i++) sessionCache.set(next, new Session(next++));
}
setInterval(remember, 0);
