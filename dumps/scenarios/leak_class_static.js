// Leak pattern: a class static Map that only grows. `WidgetRegistry.items` keeps every
// Widget ever made; the class is also exported and put on a global plugin table, so three
// names reach the Map: the class's own binding inside its body (`WidgetRegistry`), the
// module's exports and a global. Known by construction: 20,000 Widget objects in
// `WidgetRegistry.items`. Ends with process.abort() from a timer; with WRITE_SNAPSHOT=1 it
// first writes a heap snapshot.
'use strict';

class Widget {
  constructor(id) {
    this.id = id;
    this.html = '<div>'.repeat(100) + id;
  }
}

class WidgetRegistry {
  static items = new Map();

  static add(widget) {
    WidgetRegistry.items.set(widget.id, widget);
  }
}

module.exports.WidgetRegistry = WidgetRegistry;
globalThis.plugins = { registry: WidgetRegistry };
for (let id = 0; id < 20000; id++) WidgetRegistry.add(new Widget(id));

setTimeout(function crash() {
  if (process.env.WRITE_SNAPSHOT) require('v8').writeHeapSnapshot();
  process.abort();
}, 5);
