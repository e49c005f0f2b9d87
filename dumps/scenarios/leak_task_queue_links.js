// Leak: a task queue whose worker never calls back, as a stuck `async.queue` is: each push
// wraps the task in a plain link `{data, callback, next, prev}` appended to a doubly linked
// list that the queue holds by its `head` and `tail`. Known by construction: 3,999
// UploadTask objects waiting in 3,999 links of `(global).uploads._tasks` (the first task is
// with the worker). Field finding (async 3, December 2026): "3,999 UploadTask objects
// accumulate in one DLL", no word of the list the tasks hang off (the dominator tree has
// no chain: both ends hold every link). Ends with process.abort() from a timer; with
// WRITE_SNAPSHOT=1 it first writes a heap snapshot.
'use strict';

class DLL {
  constructor() { this.head = this.tail = null; this.length = 0; }

  push(node) {
    node.prev = this.tail;
    node.next = null;
    if (this.tail) this.tail.next = node; else this.head = node;
    this.tail = node;
    this.length++;
  }

  shift() {
    const node = this.head;
    this.head = node.next;
    if (this.head) this.head.prev = null; else this.tail = null;
    this.length--;
    return node;
  }
}

class Queue {
  constructor(worker) { this._tasks = new DLL(); this.worker = worker; this.running = 0; }

  push(data) {
    this._tasks.push({ data, callback: () => {}, next: null, prev: null });
    if (this.running === 0) {
      this.running++;
      const node = this._tasks.shift();
      this.worker(node.data, () => { this.running--; });
    }
  }
}

class UploadTask {
  constructor(i) {
    this.id = i;
    this.file = `/tmp/upload-${i}`;
    this.meta = { size: i * 10, mime: 'image/png' };
  }
}

globalThis.uploads = new Queue((task, done) => { /* never calls done */ });
for (let i = 0; i < 4000; i++) globalThis.uploads.push(new UploadTask(i));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
