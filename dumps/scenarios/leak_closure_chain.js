// Leak pattern: a handler re-wrapped on every registration. Each `use()` replaces the module
// variable `handler` with a closure that calls the previous one, so 4,000 closures form a
// chain of contexts (each holding `prev` and its `mw`), all hanging off one variable.
// Known by construction: exactly 4000 Middleware objects, held by `handler`. Ends with
// process.abort() from a timer.
'use strict';

class Middleware {
  constructor(i) {
    this.name = `mw-${i}`;
    this.options = { i, enabled: true };
  }
}

let handler = (req) => req;

function use(mw) {
  const prev = handler;
  handler = (req) => {
    if (!mw.options.enabled) return req;
    return prev(req);
  };
}

for (let i = 0; i < 4000; i++) use(new Middleware(i));
module.exports.handle = (req) => handler(req);
setTimeout(function crash() {
  process.abort();
}, 10);
