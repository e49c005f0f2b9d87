// Uncaught throw of a value that is not an Error, under --abort-on-uncaught-exception.
// Expected: SIGABRT/SIGTRAP in Isolate::Throw with no Error object to recover: the tool
// must say the exception was not found rather than show some other Error.
function rejectOrder(order) {
  throw `order ${order.id} rejected`; // a string, not an Error
}

setTimeout(() => rejectOrder({ id: 7 }), 1);
