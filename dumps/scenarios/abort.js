// Explicit process.abort() from a named function inside a timer callback.
// Expected: SIGABRT, crash kind "abort", native frame node::Abort,
// JS stack: abortNow (abort.js:6:11) <- onTimer (abort.js:10:3) <- listOnTimeout.
function abortNow(reason) {
  globalThis.lastReason = reason;
  process.abort();
}

function onTimer() {
  abortNow("planned abort");
}

setTimeout(onTimer, 1);
