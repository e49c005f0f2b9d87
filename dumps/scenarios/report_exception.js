// Uncaught exception thrown from a named function inside a timer callback.
// Run with --report-uncaught-exception.
// Expected: trigger "Exception", JS stack
//   validateOrder (report_exception.js:8:11) <- processOrder (report_exception.js:13:3)
//   <- onTimer (report_exception.js:17:3) <- listOnTimeout, exit 1.
function validateOrder(order) {
  if (!order.items) {
    throw new TypeError("order " + order.id + " has no items");
  }
}

function processOrder(order) {
  validateOrder(order);
}

function onTimer() {
  processOrder({ id: 42 });
}

setTimeout(onTimer, 1);
