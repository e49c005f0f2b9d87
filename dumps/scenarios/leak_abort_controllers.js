// Leak pattern: every request registers its AbortController in a Set, for cancelling all
// of them at shutdown, and nothing deletes it when the request ends. AbortController is
// Node's class, not the program's. Known by construction: exactly 6,000 AbortController
// objects in the module's Set `inflight`. Ends with process.abort() from a timer.
'use strict';

const inflight = new Set();

function startRequest() {
  const controller = new AbortController();
  inflight.add(controller);
  return controller;
}

function shutdown() {
  for (const controller of inflight) controller.abort();
}

for (let i = 0; i < 6000; i++) startRequest();
process.on('SIGTERM', shutdown);

setTimeout(function crash() {
  process.abort();
}, 5);
