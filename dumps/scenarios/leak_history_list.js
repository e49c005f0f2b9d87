// Leak pattern: a doubly linked list (prev/next) of 20,000 HistoryEntry appended to and
// never trimmed, held by its ends in `globalThis.navHistory`. Each entry is reachable from
// both ends, so no entry dominates the next: no chain in the dominator tree, yet one list.
// Known by construction. Ends with process.abort() from a timer.
'use strict';

class HistoryEntry {
  constructor(i) {
    this.url = `/p/${i}`;
    this.prev = null;
    this.next = null;
    this.state = { scroll: i };
  }
}

class History {
  constructor() {
    this.head = null;
    this.tail = null;
  }

  push(entry) {
    if (this.tail) {
      this.tail.next = entry;
      entry.prev = this.tail;
    } else {
      this.head = entry;
    }
    this.tail = entry;
  }
}

globalThis.navHistory = new History();
for (let i = 0; i < 20000; i++) globalThis.navHistory.push(new HistoryEntry(i));

setTimeout(() => process.abort(), 5);
