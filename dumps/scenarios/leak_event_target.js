// Leak pattern: a web-style EventTarget `globalThis.uiBus`; each of 6,000 Widgets adds a
// 'refresh' listener that captures it and never removes it. Node keeps an EventTarget's
// listeners as a linked list per event type under a private symbol. Known by
// construction. Ends with process.abort() from a timer.
'use strict';

class Widget {
  constructor(i) {
    this.id = i;
    this.model = { value: i, label: `w${i}` };
  }
}

globalThis.uiBus = new EventTarget();
for (let i = 0; i < 6000; i++) {
  const widget = new Widget(i);
  globalThis.uiBus.addEventListener('refresh', () => widget.model.value);
}

setTimeout(() => process.abort(), 5);
