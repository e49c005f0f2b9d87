// Leak pattern: a hand-written singly linked queue that is appended to and never drained.
// Every JobNode holds one plain-object payload, so the payloads pile up along the same
// list: one leak (the queue), not a second one half-way down it.
// Known by construction: exactly 25,000 JobNode and 25,000 payloads, all hanging off the
// module variable `pending` through `.head` and 24,999 `.next` links. Ends with
// process.abort().
'use strict';

class JobNode {
  constructor(payload) {
    this.payload = payload;
    this.next = null;
  }
}

class Queue {
  constructor() {
    this.head = null;
    this.tail = null;
    this.size = 0;
  }

  push(payload) {
    const node = new JobNode(payload);
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }
}

const pending = new Queue();

function enqueue(i) {
  pending.push({ id: i, kind: 'email', to: `user${i}@example.com` });
  return pending.size;
}

for (let i = 0; i < 25000; i++) enqueue(i);
globalThis.enqueueJob = enqueue;

setTimeout(() => process.abort(), 5);
