// Leak pattern: a singleton keeps sessions in a class's private field, `#sessions` (a Map
// never pruned). Beside it, a job queue keys its backlog with a public Symbol whose
// description also starts with `#` (`Symbol('#jobs')`): V8 tells the two keys apart by the
// Symbol's is_private_name flag, and so must the tool (`registry.#sessions` is the code's
// own spelling; `queue['<symbol #jobs>']` is not a private field).
// Known by construction: 6,000 Session objects in `registry.#sessions`, 3,000 Job objects
// in `queue[Symbol('#jobs')]`. Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class Session {
  constructor(id) {
    this.id = id;
    this.user = `user-${id}`;
    this.scratch = new Array(100).fill(id);
  }
}

class SessionRegistry {
  #sessions = new Map();
  #opened = 0;

  open(id) {
    this.#opened++;
    this.#sessions.set(`sid-${id}`, new Session(id));
  }
}

class Job {
  constructor(id) {
    this.id = id;
    this.args = new Array(40).fill(id);
  }
}

const JOBS = Symbol('#jobs');
const registry = new SessionRegistry();
const queue = { [JOBS]: [] };

for (let i = 0; i < 6000; i++) registry.open(i);
for (let i = 0; i < 3000; i++) queue[JOBS].push(new Job(i));
module.exports = { registry, queue };

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
