// Heap OOM with a planted leak: every Session is kept in a module-level array.
// Run with --max-old-space-size=30 --report-on-fatalerror.
// Expected: trigger "OOMError", event "Allocation failed - JavaScript heap out of memory",
// javascriptStack "No stack.", old_space (or large_object_space) near its capacity, exit 134.
class Session {
  constructor(id) {
    this.id = id;
    this.user = "user-" + id;
    this.payload = new Array(64).fill(id);
    this.createdAt = Date.now();
  }
}

const sessions = [];

function leak() {
  for (let i = 0; ; i++) {
    sessions.push(new Session(i));
  }
}

leak();
