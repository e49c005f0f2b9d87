// Uncaught exception under --abort-on-uncaught-exception.
// Expected: SIGABRT after the throw in validateOrder (uncaught.js:6:9).
function validateOrder(order) {
  if (!order.items.length) {
    // the throw site
    throw new TypeError(`order ${order.id} has no items`);
  }
}

function handleRequest() {
  validateOrder({ id: 42, items: [] });
}

setTimeout(handleRequest, 1);
