// Leak pattern: a serial task queue stuck behind a lock that is never released. Each
// `enqueue()` chains the task onto the previous one (`tail = tail.then(...)`); the first task
// awaits `lock` forever, so every later task's promise waits on the one before it: 2,999
// promises linked through their reactions, each reaction's handler closing over its Task.
// Nothing user-visible holds the chain but `lock` (through task 0's suspended async function).
// Known by construction: exactly 3000 Task objects. Ends with process.abort() from a timer.
'use strict';

class Task {
  constructor(i) {
    this.taskId = i;
    this.payload = { kind: 'email', to: `user${i}@example.com`, body: `hello ${i}`.repeat(3) };
  }
}

const lock = new Promise(() => {});
let tail = Promise.resolve();
const queue = {
  enqueue(task) {
    tail = tail.then(async () => {
      if (task.taskId === 0) await lock;
      return task.payload.to;
    });
    return tail;
  },
};

for (let i = 0; i < 3000; i++) queue.enqueue(new Task(i)).catch(() => {});
globalThis.queue = queue;
setTimeout(function crash() {
  process.abort();
}, 10);
