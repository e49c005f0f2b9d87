// Leak pattern: a handler wrapped again on every request. `handle` replaces the module
// variable `handler` with `withTracing(handler, info)`, a closure `traced` that captures the
// previous handler as `next` and a RouteInfo of about 6 KB, so 4,000 requests link 4,000
// closures, one per context. Unlike leak_closure_chain, the closures are made by a factory
// function, and the only function that uses `handler` is the exported `handle`. Known by
// construction: exactly 4,000 RouteInfo objects, held by `handler`. Ends with
// process.abort() from a timer, bound, so that no other closure of this module keeps its
// context (`handle` alone does, as a service's module would).
'use strict';

class RouteInfo {
  constructor(n) {
    this.path = `/v1/items/${n}`;
    this.calls = 0;
    this.sample = Buffer.alloc(6144, 97 + (n % 26)).toString('latin1');
  }
}

let handler = (req) => ({ status: 200, path: req.path });

function withTracing(next, info) {
  return function traced(req) {
    info.calls++;
    return next(req);
  };
}

function handle(req) {
  handler = withTracing(handler, new RouteInfo(req.n));
  return handler(req);
}

module.exports.handle = handle;
for (let n = 0; n < 4000; n++) handle({ n, path: `/v1/items/${n}` });

setTimeout(process.abort.bind(process), 10);
