// Unbounded recursion, uncaught, under --abort-on-uncaught-exception. Known by construction:
// RangeError "Maximum call stack size exceeded" in `walk`. Field finding: V8 holds the
// RangeError only through a handle, and no exception was found ("no Error object on the
// crashing thread's stack").
'use strict';

function walk(node) {
  return walk({ parent: node }) + 1;
}

setTimeout(() => walk(null), 1);
